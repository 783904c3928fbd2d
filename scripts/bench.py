#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Boot the base and the series kernel in turn and compare dma_map_benchmark.

For every tests/bench/*.scn, the two kernels boot alternately (base, series,
base, ...) BOOTS times each; each boot runs the kernel's dma_map_benchmark on
the edu device for each granule the scenario names.  The table gives the
median map and unmap latency of each kernel and the series/base ratio; a
ratio above --limit is a FAIL line.
"""
import argparse
import glob
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scenario  # noqa: E402

ROOT = scenario.ROOT


# QEMU counts guest time in instructions, one virtual ns each, and no
# longer lets the guest sleep through idle time: the host's load no longer
# shows in the guest's clock.  icount needs one vCPU thread, so one vCPU.
ICOUNT = ['-icount', 'shift=0,sleep=off']


def icount_command(cmd):
    """cmd with one vCPU and guest time counted in instructions."""
    cmd = list(cmd)
    if '-smp' in cmd:
        cmd[cmd.index('-smp') + 1] = '1'
    return cmd + ICOUNT


def boot(scn, kbuild, initrd, disk, logdir, tag, icount=False):
    cmd = scenario.qemu_command(scn, kbuild, initrd, disk)
    if icount:
        cmd = icount_command(cmd)
    log_path = os.path.join(logdir, f'bench-{scn["name"]}-{tag}.log')
    log, status, _ = scenario.run_qemu(cmd, log_path,
                                       int(scn.get('timeout', '300')))
    runs = bench_runs(log)
    if status != 0 or not runs:
        raise SystemExit(f'bench boot failed: {log_path} (exit {status})')
    return runs


def bench_runs(log):
    """[(granule, map_us, unmap_us)] of the guest's passing bench lines."""
    runs = re.findall(r'^RESULT bench PASS .*granule=(\d+) map_us=([\d.]+) '
                      r'unmap_us=([\d.]+)', log, re.M)
    return [(int(g), float(m), float(u)) for g, m, u in runs]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--boots', type=int, default=5)
    ap.add_argument('--limit', type=float, default=1.05)
    ap.add_argument('--build', default=os.path.join(ROOT, 'build'))
    ap.add_argument('--only', default='', help='scenario name pattern')
    ap.add_argument('--table', default=None, help='also write the table here')
    ap.add_argument('--icount', action='store_true',
                    help='count guest time in instructions (-icount)')
    args = ap.parse_args()

    logdir = os.path.join(args.build, 'logs')
    disk = scenario.disk_image(args.build)
    rows, failed = [], 0
    for path in sorted(glob.glob(os.path.join(ROOT, 'tests/bench/*.scn'))):
        scn = scenario.parse_scenario(path)
        if args.only not in scn['name']:
            continue
        arch = scn['arch']
        initrd = os.path.join(args.build, f'initramfs-{arch}.cpio')
        kernels = {'base': os.path.join(args.build, f'base-{arch}'),
                   'series': os.path.join(args.build, arch)}
        samples = {}
        for i in range(args.boots):
            for kernel, kbuild in kernels.items():
                for g, m, u in boot(scn, kbuild, initrd, disk, logdir,
                                    f'{kernel}-{i}', args.icount):
                    samples.setdefault((kernel, g, 'map'), []).append(m)
                    samples.setdefault((kernel, g, 'unmap'), []).append(u)
        for g in sorted({k[1] for k in samples}):
            for metric in ('map', 'unmap'):
                base = statistics.median(samples[('base', g, metric)])
                series = statistics.median(samples[('series', g, metric)])
                ratio = series / base if base else float('inf')
                n = len(samples[('series', g, metric)])
                rows.append((scn['name'], g, metric, base, series, ratio, n))
                ok = ratio <= args.limit
                failed += not ok
                print(f'{"PASS" if ok else "FAIL"} bench/{scn["name"]}/'
                      f'granule{g}/{metric} base={base:.2f}us '
                      f'series={series:.2f}us ratio={ratio:.3f} boots={n}')

    table = ['| IOMMU | granule | op | base µs | series µs | series/base |',
             '| --- | --- | --- | --- | --- | --- |']
    table += [f'| {n} | {g} | {m} | {b:.2f} | {s:.2f} | {r:.3f} |'
              for n, g, m, b, s, r, _ in rows]
    print('\n'.join(table))
    if args.table:
        with open(args.table, 'w') as f:
            f.write('\n'.join(table) + '\n')
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
