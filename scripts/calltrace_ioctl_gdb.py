# SPDX-License-Identifier: GPL-2.0
# The gdb side of scripts/calltrace.py --ioctl: per-function instruction
# counts of N ioctl() system calls of each command in CMDS (name=number,
# comma-separated) after SKIP of them, single-stepped from
# __x64_sys_ioctl() until it returns (the command is pt_regs->si, at
# offset 104: the production vmlinux has no debug information).  GDBPORT, OUT, SKIP, N and CMDS come
# from the environment.
import gdb, os, collections
PORT = os.environ['GDBPORT']
SKIP = int(os.environ.get('SKIP', '64'))
N = int(os.environ.get('N', '8'))
OUT = os.environ['OUT']
CMDS = dict((int(v, 0), k) for k, v in
            (c.split('=') for c in os.environ['CMDS'].split(',')))
gdb.execute('set pagination off')
gdb.execute('set confirm off')
gdb.execute('target remote :%s' % PORT)
symcache = {}


def sym_of(pc):
    s = symcache.get(pc)
    if s is None:
        t = gdb.execute('info symbol 0x%x' % pc, to_string=True).split()
        s = t[0] if t and t[0] != 'No' else hex(pc)
        symcache[pc] = s
    return s


bp = gdb.Breakpoint('__x64_sys_ioctl')
bp.condition = ' || '.join('*(unsigned long *)($rdi + 104) == 0x%x' % c
                           for c in CMDS)
seen = collections.Counter()
tot = dict((k, collections.Counter()) for k in CMDS.values())
calls = dict((k, []) for k in CMDS.values())
seqs = {}
gdb.execute('continue', to_string=True)
while any(len(v) < N for v in calls.values()):
    cmd = int(gdb.parse_and_eval('*(unsigned long *)($rdi + 104)')) & 0xffffffff
    op = CMDS[cmd]
    seen[op] += 1
    if seen[op] <= SKIP or len(calls[op]) >= N:
        gdb.execute('continue', to_string=True)
        continue
    ret = int(gdb.parse_and_eval('*(unsigned long *)$rsp')) & 0xffffffffffffffff
    n = 0
    seq = []
    while n < 200000:
        pc = int(gdb.parse_and_eval('$pc')) & 0xffffffffffffffff
        if pc == ret:
            break
        s = sym_of(pc)
        tot[op][s] += 1
        if not seq or seq[-1][0] != s:
            seq.append([s, 0])
        seq[-1][1] += 1
        n += 1
        gdb.execute('stepi', to_string=True)
    calls[op].append(n)
    seqs.setdefault(op, seq)
    gdb.execute('continue', to_string=True)

with open(OUT, 'w') as f:
    for op in calls:
        c = calls[op]
        f.write('== %s: %d calls, instructions per call %s, mean %.1f\n' %
                (op, len(c), c, sum(c) / len(c)))
        for k, v in tot[op].most_common():
            f.write('  %8.1f %s\n' % (v / len(c), k))
        f.write('  -- first call, in order (function, instructions)\n')
        for k, v in seqs[op]:
            f.write('     %s %d\n' % (k, v))
gdb.execute('kill')
