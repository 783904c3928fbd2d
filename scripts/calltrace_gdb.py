# SPDX-License-Identifier: GPL-2.0
# The gdb side of scripts/calltrace.py: per-function instruction counts of
# N consecutive dma_map_page_attrs() / dma_unmap_page_attrs() calls that the
# nsbench module makes (after SKIP of them), single-stepped.  GDBPORT, OUT,
# SKIP and N come from the environment.
import gdb, os, collections
PORT = os.environ['GDBPORT']
SKIP = int(os.environ.get('SKIP', '3000'))
N = int(os.environ.get('N', '16'))
OUT = os.environ['OUT']
gdb.execute('set pagination off')
gdb.execute('set confirm off')
gdb.execute('target remote :%s' % PORT)
MOD = 0xffffffffa0000000
symcache = {}

def sym_of(pc):
    s = symcache.get(pc)
    if s is None:
        t = gdb.execute('info symbol 0x%x' % pc, to_string=True).split()
        s = t[0] if t and t[0] != 'No' else hex(pc)
        symcache[pc] = s
    return s

bm = gdb.Breakpoint('dma_map_page_attrs')
bm.condition = '*(unsigned long *)$rsp >= 0x%x' % MOD
bm.ignore_count = SKIP
gdb.execute('continue')
bm.ignore_count = 0
bu = gdb.Breakpoint('dma_unmap_page_attrs')
bu.condition = bm.condition
tot = {'map': collections.Counter(), 'unmap': collections.Counter()}
calls = {'map': [], 'unmap': []}
seqs = {'map': None, 'unmap': None}
while len(calls['map']) < N or len(calls['unmap']) < N:
    pc = int(gdb.parse_and_eval('$pc')) & 0xffffffffffffffff
    op = 'map' if sym_of(pc) == 'dma_map_page_attrs' else 'unmap'
    n = 0
    seq = []
    while n < 50000:
        pc = int(gdb.parse_and_eval('$pc')) & 0xffffffffffffffff
        if pc >= MOD:
            break
        s = sym_of(pc)
        tot[op][s] += 1
        if not seq or seq[-1][0] != s:
            seq.append([s, 0])
        seq[-1][1] += 1
        n += 1
        gdb.execute('stepi', to_string=True)
    calls[op].append(n)
    if seqs[op] is None:
        seqs[op] = seq
    gdb.execute('continue', to_string=True)

with open(OUT, 'w') as f:
    for op in ('map', 'unmap'):
        c = calls[op]
        f.write('== %s: %d calls, instructions per call %s, mean %.1f\n' %
                (op, len(c), c, sum(c) / len(c)))
        for k, v in tot[op].most_common():
            f.write('  %8.1f %s\n' % (v / len(c), k))
        f.write('  -- first call, in order (function, instructions)\n')
        for k, v in seqs[op]:
            f.write('     %s %d\n' % (k, v))
gdb.execute('kill')
