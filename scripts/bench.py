#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Boot the base, the series and 6.12 in turn and compare their DMA API cost.

For every tests/bench/*.scn, each configuration (prod: no debug options;
test: the project's test kernels) and each kernel (base 6.1, series, 6.12)
boot in turn, BOOTS rounds of base, series, 6.12 per configuration.  The
kernels are scripts/bench.sh's build/bench/<kernel>-<config>-<arch>, each
with its own initramfs that carries tools/nsbench built for it.  Each boot
reports

  - nsbench (the project's module): the mean ns per dma_map_single /
    dma_unmap_single and dma_map_page / dma_unmap_page call, granules 1
    and 16, each call timed with interrupts off (a pair every PERIOD ns
    where the scenario's step gives one), and the ns per map+unmap of an
    untimed loop with interrupts on (the "loop": what the calls leave to
    interrupts and timers included);
  - dma_map_benchmark (the kernel's): its 100 ns averages, for comparison
    with earlier figures.

and, from nsbench's figures, the map+unmap pair: the boot's map plus the
same boot's unmap, per op and granule.

The table gives, per IOMMU, configuration and metric, the median of each
kernel over its boots with the spread (min-max), series/base and
series/6.12.  A ns metric whose series/base is above --limit is a FAIL line.
A scenario with "judge = pair" is judged on the pair only: its per-call
lines are INFO lines, with its "info-map" and "info-unmap" notes (where a
driver's deferred unmap leaves the completion of its request to the next
map, the cost moves from one call to the other, not out of the pair).

A scenario that expects iommufd-bench (tests/bench/x86-vtd-iommufd.scn)
times IOAS_MAP/UNMAP against VFIO type1 MAP/UNMAP_DMA in the same boot; its
"kernels" and "configs" keys keep it to the series' test kernel, and its
FAIL lines are an iommufd/type1 median above --iommufd-limit.
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
KERNELS = ('base', 'series', '6.12')
CONFIGS = ('prod', 'test')


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


def kernel_dir(build, kernel, config, arch):
    return os.path.join(build, 'bench', f'{kernel}-{config}-{arch}')


def initrd_path(build, kernel, config, arch):
    return os.path.join(build, 'bench',
                        f'initramfs-{kernel}-{config}-{arch}.cpio')


def bench_runs(log):
    """[(granule, map_us, unmap_us)] of the guest's passing bench lines."""
    runs = re.findall(r'^RESULT bench PASS .*granule=(\d+) map_us=([\d.]+) '
                      r'unmap_us=([\d.]+)', log, re.M)
    return [(int(g), float(m), float(u)) for g, m, u in runs]


def ns_runs(log):
    """[(op, granule, map_ns, unmap_ns, loop_ns)] of the passing nsbench
    lines, loop_ns None where the module did not time the loop."""
    runs = re.findall(r'^RESULT nsbench PASS .*op=(\w+) granule=(\d+) '
                      r'count=\d+ map_ns=([\d.]+) unmap_ns=([\d.]+)'
                      r'(?: timer_ns=[\d.]+ loop_ns=([\d.]+))?',
                      log, re.M)
    return [(op, int(g), float(m), float(u), float(lp) if lp else None)
            for op, g, m, u, lp in runs]


def iommufd_runs(log):
    """[(size, type1_map, iommufd_map, type1_unmap, iommufd_unmap)] in ns
    of the passing iommufd-bench lines (tools/guest: IOAS_MAP/UNMAP
    against VFIO type1 MAP/UNMAP_DMA, the median of the boot's rounds)."""
    runs = re.findall(r'^RESULT iommufd-bench PASS size=(\d+) count=\d+ '
                      r'rounds=\d+ type1_map_ns=([\d.]+) '
                      r'iommufd_map_ns=([\d.]+) map_ratio=[\d.]+ '
                      r'type1_unmap_ns=([\d.]+) iommufd_unmap_ns=([\d.]+)',
                      log, re.M)
    return [(int(sz), float(a), float(b), float(c), float(d))
            for sz, a, b, c, d in runs]


# A metric: (op, granule, source); op is "map", "unmap", "pair" (map +
# unmap of one boot) or "loop" (a map+unmap of the untimed loop), source
# the nsbench op ("single", "page": ns) or "benchmark" (dma_map_benchmark:
# µs, no pair), "type1" or "iommufd" (iommufd-bench: ns, granule the
# mapping size, no pair).
OPS = ('map', 'unmap', 'pair', 'loop')


def boot_metrics(log):
    """{metric: value} of one boot's console."""
    values = {}
    for op, g, m, u, lp in ns_runs(log):
        values[('map', g, op)] = m
        values[('unmap', g, op)] = u
        values[('pair', g, op)] = m + u
        if lp is not None:
            values[('loop', g, op)] = lp
    for g, m, u in bench_runs(log):
        values.setdefault(('map', g, 'benchmark'), m)
        values.setdefault(('unmap', g, 'benchmark'), u)
    # iommufd-bench: the granule is the mapping's size in bytes.
    for size, tm, fm, tu, fu in iommufd_runs(log):
        values[('map', size, 'type1')] = tm
        values[('map', size, 'iommufd')] = fm
        values[('unmap', size, 'type1')] = tu
        values[('unmap', size, 'iommufd')] = fu
    return values


def reusable(log_path, cmd):
    """The console of log_path if an earlier boot ran exactly cmd (the
    log's second line), finished, and is newer than the kernel and the
    initramfs cmd boots (a rebuilt kernel has the same command line),
    else None."""
    try:
        with open(log_path, errors='replace') as f:
            log = f.read()
        booted = [cmd[i + 1] for i, arg in enumerate(cmd[:-1])
                  if arg in ('-kernel', '-initrd')]
        if any(os.path.getmtime(f) >= os.path.getmtime(log_path)
               for f in booted):
            return None
    except OSError:
        return None
    lines = log.splitlines()
    if len(lines) < 2 or lines[1] != '# ' + ' '.join(cmd):
        return None
    if not re.search(r'^DONE ', log, re.M):
        return None
    return log


def boot(scn, kbuild, initrd, disk, logdir, tag, icount=False, reuse=False):
    cmd = scenario.qemu_command(scn, kbuild, initrd, disk)
    if icount:
        cmd = icount_command(cmd)
    log_path = os.path.join(logdir, f'bench-{scn["name"]}-{tag}.log')
    log = reusable(log_path, cmd) if reuse else None
    if log is not None:
        status = 0
    else:
        log, status, _ = scenario.run_qemu(cmd, log_path,
                                           int(scn.get('timeout', '300')))
    values = boot_metrics(log)
    if 'iommufd-bench' in scn.get('expect', '').split():
        ok = bool(iommufd_runs(log))
    else:
        ok = ns_runs(log) and bench_runs(log)
    if status != 0 or not ok:
        raise SystemExit(f'bench boot failed: {log_path} (exit {status})')
    return values


SOURCE = {'single': 'ns, dma_map_single', 'page': 'ns, dma_map_page',
          'benchmark': 'µs, dma_map_benchmark',
          'type1': 'ns, VFIO type1 MAP/UNMAP_DMA',
          'iommufd': 'ns, iommufd IOAS_MAP/UNMAP'}
SOURCE_ORDER = ('single', 'page', 'benchmark', 'type1', 'iommufd')


def metric_name(metric, note=None):
    op, g, source = metric
    what = SOURCE[source]
    if op == 'pair':
        op, what = 'map+unmap pair', what + ", one boot's map + unmap"
    elif op == 'loop':
        op, what = 'map+unmap loop', what + ', untimed loop, interrupts on'
    if note:
        what += f'; info: {note}'
    return f'{op}, granule {g} ({what})'


def per_call_info(scn):
    """{op: note} of the per-call ns lines of a scenario judged on the
    pair ("judge = pair"), else None."""
    judge = scn.get('judge', 'call')
    if judge not in ('call', 'pair'):
        raise SystemExit(f'{scn["name"]}: judge = {judge}: call or pair')
    if judge == 'call':
        return None
    return {op: scn.get(f'info-{op}', 'judged on the pair')
            for op in ('map', 'unmap')}


def spread(values):
    """(median, min, max) of values, or None if there are none."""
    if not values:
        return None
    return statistics.median(values), min(values), max(values)


def summarize(name, samples, limit, info=None):
    """Rows and PASS/FAIL lines of one scenario.

    samples: {(config, kernel, metric): [value per boot]}.  A row:
    (name, config, metric, {kernel: (median, min, max) or None},
    series/base, series/6.12, note), a ratio None where a kernel has no
    boots.  Only the ns metrics pass or fail: dma_map_benchmark's 100 ns
    steps cannot show a few percent.  info ({op: note}, per_call_info()):
    the per-call ns metrics are INFO lines with their note, and only the
    pairs pass or fail.
    """
    rows, lines = [], []
    configs = [c for c in CONFIGS if any(k[0] == c for k in samples)]
    metrics = sorted({k[2] for k in samples},
                     key=lambda m: (SOURCE_ORDER.index(m[2]),
                                    OPS.index(m[0]), m[1]))
    for config in configs:
        for metric in metrics:
            stats = {k: spread(samples.get((config, k, metric), []))
                     for k in KERNELS}
            if not any(stats.values()):
                continue
            ratios = []
            for other in ('base', '6.12'):
                s, o = stats['series'], stats[other]
                ratios.append(s[0] / o[0] if s and o and o[0] else None)
            op, g, source = metric
            note = info.get(op) if info and source not in \
                ('benchmark', 'type1', 'iommufd') else None
            rows.append((name, config, metric, stats, ratios[0], ratios[1],
                         note))
            if source == 'iommufd':
                lines += iommufd_line(name, config, metric, samples, limit)
            if source in ('benchmark', 'type1', 'iommufd') or \
                    ratios[0] is None:
                continue
            n = len(samples[(config, 'series', metric)])
            figures = (f'bench/{name}/{config}/{op}-granule{g}-{source} '
                       f'base={stats["base"][0]:.1f}ns '
                       f'series={stats["series"][0]:.1f}ns '
                       f'ratio={ratios[0]:.3f}')
            if note:
                lines.append(f'INFO {figures} boots={n} info: {note}')
                continue
            ok = ratios[0] <= limit
            lines.append(f'{"PASS" if ok else "FAIL"} {figures} '
                         f'limit={limit:.3f} boots={n}')
    return rows, lines


def iommufd_line(name, config, metric, samples, limit):
    """The PASS/FAIL line of iommufd/type1 for one op and size, the
    series' medians over its boots: [] without both."""
    op, size, _ = metric
    fd = samples.get((config, 'series', metric), [])
    t1 = samples.get((config, 'series', (op, size, 'type1')), [])
    if not fd or not t1:
        return []
    fdm, t1m = statistics.median(fd), statistics.median(t1)
    ratio = fdm / t1m
    kib = f'{size // 1024}k' if size < 1 << 20 else f'{size >> 20}m'
    return [f'{"PASS" if ratio <= limit else "FAIL"} bench/{name}/{config}/'
            f'{op}-{kib}-iommufd type1={t1m:.1f}ns iommufd={fdm:.1f}ns '
            f'ratio={ratio:.3f} limit={limit:.3f} boots={len(fd)}']


def cell(stat):
    if stat is None:
        return '–'
    med, lo, hi = stat
    return f'{med:.1f} ({lo:.1f}–{hi:.1f})'


def ratio_cell(r):
    return '–' if r is None else f'{r:.3f}'


def table(rows):
    """The issue's table, a median (min–max) over the boots per kernel."""
    out = ['| IOMMU | config | metric | 6.1 | series | 6.12 | series/6.1 '
           '| series/6.12 |',
           '| --- | --- | --- | --- | --- | --- | --- | --- |']
    for name, config, metric, stats, r_base, r_612, note in rows:
        out.append(f'| {name} | {config} | {metric_name(metric, note)} | '
                   + ' | '.join(cell(stats[k]) for k in KERNELS)
                   + f' | {ratio_cell(r_base)} | {ratio_cell(r_612)} |')
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--boots', type=int, default=5)
    ap.add_argument('--limit', type=float, default=1.02,
                    help='highest series/base of a ns metric (default 1.02)')
    ap.add_argument('--build', default=os.path.join(ROOT, 'build'))
    ap.add_argument('--only', default='', help='scenario name pattern')
    ap.add_argument('--configs', default=','.join(CONFIGS),
                    help='comma-separated: prod, test')
    ap.add_argument('--kernels', default=','.join(KERNELS),
                    help='comma-separated: base, series, 6.12')
    ap.add_argument('--iommufd-limit', type=float, default=1.0,
                    help='highest iommufd/type1 (default 1.0, issue 13)')
    ap.add_argument('--table', default=None, help='also write the table here')
    ap.add_argument('--icount', action='store_true',
                    help='count guest time in instructions (-icount)')
    ap.add_argument('--reuse', action='store_true',
                    help='take a boot\'s figures from its log when that log '
                    'ran the same command to the end after the kernel and '
                    'initramfs it boots were built')
    args = ap.parse_args()

    logdir = os.path.join(args.build, 'logs')
    disk = scenario.disk_image(args.build)
    configs = [c for c in args.configs.split(',') if c]
    kernels = [k for k in args.kernels.split(',') if k]
    rows, lines = [], []
    for path in sorted(glob.glob(os.path.join(ROOT, 'tests/bench/*.scn'))):
        scn = scenario.parse_scenario(path)
        if args.only not in scn['name']:
            continue
        arch = scn['arch']
        # "kernels = series": a scenario only the series can run.
        only = scn.get('kernels', '').split()
        kernels_scn = [k for k in kernels if not only or k in only]
        only = scn.get('configs', '').split()
        configs_scn = [c for c in configs if not only or c in only]
        limit = args.iommufd_limit if 'iommufd-bench' in \
            scn.get('expect', '').split() else args.limit
        samples = {}
        for i in range(args.boots):
            for config in configs_scn:
                for kernel in kernels_scn:
                    kbuild = kernel_dir(args.build, kernel, config, arch)
                    initrd = initrd_path(args.build, kernel, config, arch)
                    values = boot(scn, kbuild, initrd, disk, logdir,
                                  f'{config}-{kernel}-{i}', args.icount,
                                  args.reuse)
                    for metric, v in values.items():
                        samples.setdefault((config, kernel, metric),
                                           []).append(v)
        r, ls = summarize(scn['name'], samples, limit, per_call_info(scn))
        rows += r
        lines += ls
        print('\n'.join(ls), flush=True)

    out = table(rows)
    print('\n'.join(out))
    if args.table:
        with open(args.table, 'w') as f:
            f.write('\n'.join(out) + '\n')
    sys.exit(1 if any(line.startswith('FAIL') for line in lines) else 0)


if __name__ == '__main__':
    main()
