# SPDX-License-Identifier: GPL-2.0
# What the gdb sides of scripts/calltrace.py share (calltrace_gdb.py,
# calltrace_ioctl_gdb.py): the connection to QEMU's gdb stub, the symbol
# of a program counter, the single-stepping of one call, and the profile
# written at the end.  Imported inside gdb.
import collections
import gdb

symcache = {}


def connect(port):
    gdb.execute('set pagination off')
    gdb.execute('set confirm off')
    gdb.execute('target remote :%s' % port)


# Without KASLR: x86_64's modules above the kernel image from
# MODULES_VADDR; arm64's in the 128 MiB below it (KIMAGE_VADDR, 39-bit VA).
X86_MODULES = 0xffffffffa0000000
ARM64_MODULES = (0xffffffc000000000, 0xffffffc008000000)


def module_test(arch):
    """(in_module(pc), a breakpoint condition true at a function's entry
    when the module called it) for arch."""
    if arch == 'x86_64':
        return (lambda p: p >= X86_MODULES,
                '*(unsigned long *)$rsp >= 0x%x' % X86_MODULES)
    lo, hi = ARM64_MODULES
    return (lambda p: lo <= p < hi,
            '(unsigned long)$x30 >= 0x%x && (unsigned long)$x30 < 0x%x' %
            (lo, hi))


def sym_of(pc):
    s = symcache.get(pc)
    if s is None:
        t = gdb.execute('info symbol 0x%x' % pc, to_string=True).split()
        s = t[0] if t and t[0] != 'No' else hex(pc)
        symcache[pc] = s
    return s


def pc():
    return int(gdb.parse_and_eval('$pc')) & 0xffffffffffffffff


def step_call(done, counter, limit):
    """Single-steps until done(pc) is true or limit instructions ran,
    counting instructions per function into counter.  Returns the count
    and the call's sequence of [function, instructions]."""
    n = 0
    seq = []
    while n < limit:
        p = pc()
        if done(p):
            break
        s = sym_of(p)
        counter[s] += 1
        if not seq or seq[-1][0] != s:
            seq.append([s, 0])
        seq[-1][1] += 1
        n += 1
        gdb.execute('stepi', to_string=True)
    return n, seq


def new_profile(ops):
    return (dict((op, collections.Counter()) for op in ops),
            dict((op, []) for op in ops), {})


def write_profile(out, tot, calls, seqs):
    with open(out, 'w') as f:
        for op in calls:
            c = calls[op]
            f.write('== %s: %d calls, instructions per call %s, mean %.1f\n' %
                    (op, len(c), c, sum(c) / len(c)))
            for k, v in tot[op].most_common():
                f.write('  %8.1f %s\n' % (v / len(c), k))
            f.write('  -- first call, in order (function, instructions)\n')
            for k, v in seqs[op]:
                f.write('     %s %d\n' % (k, v))
