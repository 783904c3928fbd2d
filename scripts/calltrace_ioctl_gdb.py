# SPDX-License-Identifier: GPL-2.0
# The gdb side of scripts/calltrace.py --ioctl: per-function instruction
# counts of N ioctl() system calls of each command in CMDS (name=number,
# comma-separated) after SKIP of them, single-stepped from
# __x64_sys_ioctl() until it returns (the command is pt_regs->si, at
# offset 104: the production vmlinux has no debug information).  GDBPORT,
# OUT, SKIP, N and CMDS come from the environment.
import collections
import os
import sys
import gdb
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import calltrace_step as cs  # noqa: E402

SKIP = int(os.environ.get('SKIP', '64'))
N = int(os.environ.get('N', '8'))
CMDS = dict((int(v, 0), k) for k, v in
            (c.split('=') for c in os.environ['CMDS'].split(',')))
CMD = '*(unsigned long *)($rdi + 104)'
cs.connect(os.environ['GDBPORT'])

bp = gdb.Breakpoint('__x64_sys_ioctl')
bp.condition = ' || '.join('%s == 0x%x' % (CMD, c) for c in CMDS)
seen = collections.Counter()
tot, calls, seqs = cs.new_profile(CMDS.values())
gdb.execute('continue', to_string=True)
while any(len(v) < N for v in calls.values()):
    op = CMDS[int(gdb.parse_and_eval(CMD)) & 0xffffffff]
    seen[op] += 1
    if seen[op] > SKIP and len(calls[op]) < N:
        ret = int(gdb.parse_and_eval('*(unsigned long *)$rsp'))
        ret &= 0xffffffffffffffff
        n, seq = cs.step_call(lambda p: p == ret, tot[op], 200000)
        calls[op].append(n)
        seqs.setdefault(op, seq)
    gdb.execute('continue', to_string=True)

cs.write_profile(os.environ['OUT'], tot, calls, seqs)
gdb.execute('kill')
