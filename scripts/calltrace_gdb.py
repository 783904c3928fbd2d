# SPDX-License-Identifier: GPL-2.0
# The gdb side of scripts/calltrace.py: per-function instruction counts of
# N consecutive dma_map_page_attrs() / dma_unmap_page_attrs() calls that the
# nsbench module makes (after SKIP of them), single-stepped.  GDBPORT, OUT,
# SKIP and N come from the environment.
import os
import sys
import gdb
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import calltrace_step as cs  # noqa: E402

SKIP = int(os.environ.get('SKIP', '3000'))
N = int(os.environ.get('N', '16'))
cs.connect(os.environ['GDBPORT'])
in_module, called_from_module = cs.module_test(os.environ['ARCH'])

bm = gdb.Breakpoint('dma_map_page_attrs')
bm.condition = called_from_module
bm.ignore_count = SKIP
gdb.execute('continue')
bm.ignore_count = 0
bu = gdb.Breakpoint('dma_unmap_page_attrs')
bu.condition = bm.condition
tot, calls, seqs = cs.new_profile(('map', 'unmap'))
while len(calls['map']) < N or len(calls['unmap']) < N:
    op = 'map' if cs.sym_of(cs.pc()) == 'dma_map_page_attrs' else 'unmap'
    # Until the call is back in the module.
    n, seq = cs.step_call(in_module, tot[op], 50000)
    calls[op].append(n)
    seqs.setdefault(op, seq)
    gdb.execute('continue', to_string=True)

cs.write_profile(os.environ['OUT'], tot, calls, seqs)
gdb.execute('kill')
