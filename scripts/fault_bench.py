#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Measure fault delivery: faults per second from report to handler.

Runs the series' iommu-fault-bench KUnit suite (drivers/iommu/iommu-fault-bench.c)
on the mock IOMMU, RUNS times on each arch, and prints the median of each
measurement: one and four reporting threads.  The suite is an option of its
own (CONFIG_IOMMU_FAULT_BENCH), not in the test kernels: it is built with
kunit.py into build/<arch>-bench, from the project's kunitconfig plus that
option, and run with kunit.py exec.  The base kernel has no such path, so the figures
are absolute, not ratios.  They are TCG figures: compare them with each
other, not with hardware.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ktap  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def kunit(arch, build, ksrc, *args):
    cmd = [sys.executable, 'tools/testing/kunit/kunit.py', *args,
           f'--arch={arch}', f'--build_dir={build}']
    if arch == 'arm64':
        cmd.append('--cross_compile=aarch64-linux-gnu-')
    return subprocess.run(cmd, cwd=ksrc, capture_output=True, text=True)


def build_bench(arch, build, ksrc):
    """The test kernel with the bench suite, in its own build directory."""
    out = kunit(arch, build, ksrc, 'build',
                f'--kunitconfig={ROOT}/configs/{arch}.config',
                '--kconfig_add=CONFIG_IOMMU_FAULT_BENCH=y',
                f'--jobs={os.cpu_count()}')
    if out.returncode:
        raise SystemExit(f'fault bench build on {arch} failed:\n'
                         f'{out.stdout[-2000:]}{out.stderr[-2000:]}')


def run_once(arch, build, ksrc):
    out = kunit(arch, build, ksrc, 'exec', '--timeout=600',
                '--kernel_args=iommu.strict=0', '--raw_output=kunit',
                'iommu-fault-bench')
    rates = delivery_rates(out.stdout)
    if out.returncode or rates is None:
        raise SystemExit(f'fault bench on {arch} failed:\n{out.stdout[-2000:]}')
    return rates


def delivery_rates(output):
    """{threads: faults/s} from the KTAP kunit.py printed, or None unless
    the kernel's parser finds the suite passed once, with both figures
    (--raw_output makes kunit.py's own exit status say nothing)."""
    runs = ktap.parse(output).suites.get('iommu-fault-bench', [])
    if ktap.outcome(runs) != 'pass':
        return None
    logs = '\n'.join(line for case in ktap.cases(runs[0]) for line in case.log)
    found = re.findall(r'fault delivery, (\d+) thread\(s\): (\d+) faults/s',
                       logs)
    return {int(t): int(r) for t, r in found} if len(found) == 2 else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--runs', type=int, default=5)
    ap.add_argument('--build', default=os.path.join(ROOT, 'build'))
    ap.add_argument('--ksrc', default=os.path.join(ROOT, 'build/linux'))
    ap.add_argument('--table', default=None, help='append the table here')
    args = ap.parse_args()
    os.environ.setdefault('KSRC', args.ksrc)

    rows = []
    for arch in ('x86_64', 'arm64'):
        samples = {}
        build = os.path.join(args.build, f'{arch}-bench')
        build_bench(arch, build, args.ksrc)
        for _ in range(args.runs):
            for threads, rate in run_once(arch, build, args.ksrc).items():
                samples.setdefault(threads, []).append(rate)
        for threads, rates in sorted(samples.items()):
            med = statistics.median(rates)
            rows.append((arch, threads, med, min(rates), max(rates), len(rates)))
            print(f'PASS bench/fault-delivery/{arch}/{threads}-threads '
                  f'median={med:.0f}/s min={min(rates)} max={max(rates)} '
                  f'runs={len(rates)}')
    table = ['', '| fault delivery (mock, TCG) | threads | median faults/s '
             '| min | max | runs |', '| --- | --- | --- | --- | --- | --- |']
    table += [f'| {a} | {t} | {m:.0f} | {lo} | {hi} | {n} |'
              for a, t, m, lo, hi, n in rows]
    print('\n'.join(table))
    if args.table:
        with open(args.table, 'a') as f:
            f.write('\n'.join(table) + '\n')


if __name__ == '__main__':
    main()
