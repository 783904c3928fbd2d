#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Where one DMA API call spends its instructions, by function.

Boots a make bench kernel (build/bench/<kernel>-<config>-x86_64) on one of
tests/bench/*.scn under -icount with a gdb stub, lets tools/nsbench run,
and has gdb (scripts/calltrace_gdb.py) single-step N consecutive
dma_map_page_attrs() and dma_unmap_page_attrs() calls that the module
makes, after SKIP of them: it counts the instructions by the symbol of the
program counter until the call returns to the module.  QEMU's gdbstub steps
with interrupts masked, so only the call itself is counted.  The result is
a profile (names and counts), which is all it takes of a kernel whose code
is not to be read (6.12).  x86_64, and arm64 with gdb-multiarch.

With --ioctl it profiles the iommufd-bench step instead (one short round
of tests/bench/x86-vtd-iommufd.scn): the IOAS_MAP, IOAS_UNMAP, type1
MAP_DMA and UNMAP_DMA ioctls, each from __x64_sys_ioctl() to its return
(scripts/calltrace_ioctl_gdb.py).

    scripts/calltrace.py base x86-vtd [--calls 16] [--skip 3000]
    scripts/calltrace.py series x86-vtd-iommufd --ioctl --calls 8 --skip 64
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402
import scenario  # noqa: E402


# _IO(';', n): iommufd's IOAS_MAP and IOAS_UNMAP, type1's MAP_DMA and
# UNMAP_DMA.
IOCTLS = ('ioas_map=0x3b85,ioas_unmap=0x3b86,'
          'type1_map=0x3b71,type1_unmap=0x3b72')


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('kernel', help='base, series or 6.12')
    ap.add_argument('scn', help='a tests/bench scenario, e.g. x86-vtd')
    ap.add_argument('--config', default='prod')
    ap.add_argument('--calls', type=int, default=16)
    ap.add_argument('--skip', type=int, default=3000)
    ap.add_argument('--port', type=int, default=12360)
    ap.add_argument('--ioctl', action='store_true',
                    help='profile the iommufd-bench step\'s IOAS_MAP/UNMAP '
                    'and type1 MAP/UNMAP_DMA ioctls instead')
    ap.add_argument('--build', default=os.path.join(scenario.ROOT, 'build'))
    ap.add_argument('--out', help='the profile (default: build/logs/'
                    'calltrace-<scn>-<config>-<kernel>.txt)')
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    scn = scenario.parse_scenario(os.path.join(scenario.ROOT, 'tests/bench',
                                               args.scn + '.scn'))
    arch = scn['arch']
    gdb = 'gdb' if arch == 'x86_64' else 'gdb-multiarch'
    if not shutil.which(gdb):
        raise SystemExit(f'calltrace: needs {gdb} (apt-get install {gdb})')
    if args.ioctl and arch != 'x86_64':
        raise SystemExit('calltrace: --ioctl on x86_64 scenarios only')
    # nsbench alone; no KASLR, so that vmlinux's symbols are the guest's.
    step = 'iommufd-bench=' if args.ioctl else 'nsbench='
    scn['steps'] = ' '.join(s for s in scn['steps'].split()
                            if s.startswith(step))
    if args.ioctl:
        # One round, 1 MiB in 4 KiB mappings and 2 MiB in one: enough
        # calls to skip the first and trace a few.
        scn['steps'] = 'iommufd-bench=edu0:1:1:2'
    scn['append'] = (scn.get('append', '') + ' nokaslr').strip()
    kbuild = bench.kernel_dir(build, args.kernel, args.config, arch)
    initrd = bench.initrd_path(build, args.kernel, args.config, arch)
    cmd = bench.icount_command(scenario.qemu_command(
        scn, kbuild, initrd, scenario.disk_image(build)))
    i = cmd.index('-serial')
    logs = os.path.join(build, 'logs')
    tag = f'{args.scn}-{args.config}-{args.kernel}'
    if args.ioctl:
        tag += '-ioctl'
    out = args.out or os.path.join(logs, f'calltrace-{tag}.txt')
    console = os.path.join(logs, f'calltrace-{tag}.console')
    cmd[i + 1] = 'file:' + console
    cmd += ['-S', '-gdb', f'tcp:127.0.0.1:{args.port}', '-monitor', 'none']
    qemu = subprocess.Popen(cmd, stdin=subprocess.DEVNULL)
    env = dict(os.environ, GDBPORT=str(args.port), OUT=out,
               SKIP=str(args.skip), N=str(args.calls), CMDS=IOCTLS,
               ARCH=arch)
    script = 'calltrace_ioctl_gdb.py' if args.ioctl else 'calltrace_gdb.py'
    try:
        with tempfile.TemporaryFile() as gdblog:
            rc = subprocess.call(
                [gdb, '-batch', '-nx', '-ex',
                 'file ' + os.path.join(kbuild, 'vmlinux'), '-x',
                 os.path.join(scenario.ROOT, 'scripts', script)],
                env=env, stdout=gdblog, stderr=subprocess.STDOUT,
                timeout=1800)
            if rc or not os.path.exists(out):
                gdblog.seek(0)
                sys.stdout.write(gdblog.read().decode(errors='replace')[-2000:])
                raise SystemExit(f'calltrace: gdb exit {rc}')
    finally:
        qemu.kill()
        qemu.wait()
    with open(out) as f:
        sys.stdout.write(f.read())


if __name__ == '__main__':
    main()
