# SPDX-License-Identifier: GPL-2.0
"""What scripts/bench.py and scripts/fault_bench.py read from a boot."""
import os
import unittest

from common import fixture
import bench
import fault_bench
import scenario


class BenchRuns(unittest.TestCase):
    def test_passing_lines_only(self):
        self.assertEqual(bench.bench_runs(fixture('bench.log')),
                         [(1, 2.31, 1.87), (16, 10.5, 8.25)])

    def test_none(self):
        self.assertEqual(bench.bench_runs('RESULT bench FAIL dev=x '
                                          'bind-errno=19\n'), [])


class NsRuns(unittest.TestCase):
    def test_passing_lines_only(self):
        self.assertEqual(bench.ns_runs(fixture('nsbench.log')),
                         [('single', 1, 1043.7, 987.2, None),
                          ('single', 16, 1452.0, 1101.9, None),
                          ('page', 1, 1040.1, 985.0, None),
                          ('page', 16, 1449.9, 1100.3, 2611.8)])

    def test_boot_metrics(self):
        m = bench.boot_metrics(fixture('nsbench.log'))
        self.assertEqual(len(m), 17)
        self.assertEqual(m[('map', 1, 'single')], 1043.7)
        self.assertEqual(m[('unmap', 16, 'page')], 1100.3)
        self.assertEqual(m[('map', 16, 'benchmark')], 1.5)
        self.assertEqual(m[('unmap', 1, 'benchmark')], 1.0)

    def test_pair_is_one_boots_map_plus_unmap(self):
        m = bench.boot_metrics(fixture('nsbench.log'))
        self.assertAlmostEqual(m[('pair', 1, 'single')], 1043.7 + 987.2)
        self.assertAlmostEqual(m[('pair', 16, 'page')], 1449.9 + 1100.3)
        self.assertNotIn(('pair', 1, 'benchmark'), m)

    def test_loop_only_where_timed(self):
        m = bench.boot_metrics(fixture('nsbench.log'))
        self.assertEqual(m[('loop', 16, 'page')], 2611.8)
        self.assertNotIn(('loop', 1, 'single'), m)

    def test_loop_is_judged_under_pair_judging(self):
        s = {('prod', 'base', ('loop', 1, 'single')): [3000.0],
             ('prod', 'series', ('loop', 1, 'single')): [3100.0]}
        rows, lines = bench.summarize('x86-virtio', s, 1.02, info={
            'map': 'm', 'unmap': 'u'})
        self.assertEqual(lines, [
            'FAIL bench/x86-virtio/prod/loop-granule1-single base=3000.0ns '
            'series=3100.0ns ratio=1.033 limit=1.020 boots=1'])
        self.assertEqual(bench.table(rows)[2],
                         '| x86-virtio | prod | map+unmap loop, granule 1 '
                         '(ns, dma_map_single, untimed loop, interrupts on) '
                         '| 3000.0 (3000.0–3000.0) | 3100.0 (3100.0–3100.0) '
                         '| – | 1.033 | – |')


def samples(values):
    """{(config, kernel, metric): values} for map, granule 1, single."""
    return {('prod', k, ('map', 1, 'single')): v for k, v in values.items()}


class Summary(unittest.TestCase):
    def test_medians_spread_ratios(self):
        rows, lines = bench.summarize('x86-vtd', samples({
            'base': [1000.0, 1010.0, 990.0],
            'series': [1005.0, 1100.0, 1000.0],
            '6.12': [700.0, 702.0, 701.0]}), 1.02)
        self.assertEqual(len(rows), 1)
        name, config, metric, stats, r_base, r_612, note = rows[0]
        self.assertEqual((name, config, metric),
                         ('x86-vtd', 'prod', ('map', 1, 'single')))
        self.assertEqual(stats['base'], (1000.0, 990.0, 1010.0))
        self.assertEqual(stats['series'], (1005.0, 1000.0, 1100.0))
        self.assertAlmostEqual(r_base, 1.005)
        self.assertAlmostEqual(r_612, 1005.0 / 701.0)
        self.assertIsNone(note)
        self.assertEqual(lines, [
            'PASS bench/x86-vtd/prod/map-granule1-single base=1000.0ns '
            'series=1005.0ns ratio=1.005 limit=1.020 boots=3'])

    def test_fail_above_limit(self):
        _, lines = bench.summarize('x86-vtd', samples({
            'base': [1000.0], 'series': [1030.0]}), 1.02)
        self.assertEqual(lines, [
            'FAIL bench/x86-vtd/prod/map-granule1-single base=1000.0ns '
            'series=1030.0ns ratio=1.030 limit=1.020 boots=1'])

    def test_benchmark_rows_do_not_fail(self):
        rows, lines = bench.summarize('x86-vtd', {
            ('test', 'base', ('map', 1, 'benchmark')): [1.0],
            ('test', 'series', ('map', 1, 'benchmark')): [1.1]}, 1.02)
        self.assertEqual(len(rows), 1)
        self.assertAlmostEqual(rows[0][4], 1.1)
        self.assertEqual(lines, [])

    def test_order_prod_first_ns_first(self):
        s = {}
        for config in ('test', 'prod'):
            for metric in (('unmap', 1, 'benchmark'), ('unmap', 16, 'page'),
                           ('pair', 1, 'single'), ('pair', 16, 'page'),
                           ('map', 16, 'single'), ('map', 1, 'single')):
                s[(config, 'base', metric)] = [1.0]
                s[(config, 'series', metric)] = [1.0]
        rows, _ = bench.summarize('x', s, 1.02)
        self.assertEqual([(r[1], r[2]) for r in rows], [
            (c, m) for c in ('prod', 'test')
            for m in (('map', 1, 'single'), ('map', 16, 'single'),
                      ('pair', 1, 'single'), ('unmap', 16, 'page'),
                      ('pair', 16, 'page'), ('unmap', 1, 'benchmark'))])

    def test_table_without_612(self):
        rows, _ = bench.summarize('x86-amd', samples({
            'base': [2000.0, 2100.0], 'series': [1990.0, 2010.0]}), 1.02)
        self.assertEqual(bench.table(rows), [
            '| IOMMU | config | metric | 6.1 | series | 6.12 | series/6.1 '
            '| series/6.12 |',
            '| --- | --- | --- | --- | --- | --- | --- | --- |',
            '| x86-amd | prod | map, granule 1 (ns, dma_map_single) | '
            '2050.0 (2000.0–2100.0) | 2000.0 (1990.0–2010.0) | – | 0.976 '
            '| – |'])


def pair_samples(boots):
    """Samples of map, unmap and pair, granule 1, single, from
    {kernel: [(map, unmap) per boot]}, the pair summed per boot as
    boot_metrics() does."""
    s = {}
    for k, runs in boots.items():
        for m, u in runs:
            for op, v in (('map', m), ('unmap', u), ('pair', m + u)):
                s.setdefault(('prod', k, (op, 1, 'single')), []).append(v)
    return s


class Pair(unittest.TestCase):
    """virtio-iommu with DMA-FQ: an unmap leaves its UNMAP queued and the
    next map's sync completes it, so map goes up as much as unmap goes
    down; the pair is what is judged there."""
    BOOTS = {'base': [(1900.0, 1850.0), (1910.0, 1840.0), (1905.0, 1860.0)],
             'series': [(2200.0, 1550.0), (2190.0, 1545.0), (2195.0, 1560.0)]}
    INFO = {'map': 'carries the deferred unmap',
            'unmap': 'leaves its completion to the next map'}

    def test_pair_is_median_of_per_boot_sums(self):
        rows, lines = bench.summarize('x86-amd', pair_samples(self.BOOTS),
                                      1.02)
        pair = [r for r in rows if r[2][0] == 'pair'][0]
        # per boot: 3750, 3750, 3765 and 3750, 3735, 3755
        self.assertEqual(pair[3]['base'], (3750.0, 3750.0, 3765.0))
        self.assertEqual(pair[3]['series'], (3750.0, 3735.0, 3755.0))
        self.assertEqual(lines, [
            'FAIL bench/x86-amd/prod/map-granule1-single base=1905.0ns '
            'series=2195.0ns ratio=1.152 limit=1.020 boots=3',
            'PASS bench/x86-amd/prod/unmap-granule1-single base=1850.0ns '
            'series=1550.0ns ratio=0.838 limit=1.020 boots=3',
            'PASS bench/x86-amd/prod/pair-granule1-single base=3750.0ns '
            'series=3750.0ns ratio=1.000 limit=1.020 boots=3'])

    def test_judged_on_the_pair(self):
        rows, lines = bench.summarize('x86-virtio', pair_samples(self.BOOTS),
                                      1.02, info=self.INFO)
        self.assertEqual(lines, [
            'INFO bench/x86-virtio/prod/map-granule1-single base=1905.0ns '
            'series=2195.0ns ratio=1.152 boots=3 '
            'info: carries the deferred unmap',
            'INFO bench/x86-virtio/prod/unmap-granule1-single base=1850.0ns '
            'series=1550.0ns ratio=0.838 boots=3 '
            'info: leaves its completion to the next map',
            'PASS bench/x86-virtio/prod/pair-granule1-single base=3750.0ns '
            'series=3750.0ns ratio=1.000 limit=1.020 boots=3'])
        self.assertEqual([r[6] for r in rows], [self.INFO['map'],
                                                 self.INFO['unmap'], None])

    def test_pair_above_limit_fails(self):
        boots = dict(self.BOOTS, series=[(2300.0, 1550.0)] * 3)
        _, lines = bench.summarize('x86-virtio', pair_samples(boots), 1.02,
                                   info=self.INFO)
        self.assertEqual(lines[2],
                         'FAIL bench/x86-virtio/prod/pair-granule1-single '
                         'base=3750.0ns series=3850.0ns ratio=1.027 '
                         'limit=1.020 boots=3')

    def test_table_labels(self):
        rows, _ = bench.summarize('x86-virtio', pair_samples(self.BOOTS),
                                  1.02, info=self.INFO)
        out = bench.table(rows)
        self.assertEqual(out[2], '| x86-virtio | prod | map, granule 1 (ns, '
                         'dma_map_single; info: carries the deferred unmap) '
                         '| 1905.0 (1900.0–1910.0) | 2195.0 (2190.0–2200.0) '
                         '| – | 1.152 | – |')
        self.assertEqual(out[4], '| x86-virtio | prod | map+unmap pair, '
                         'granule 1 (ns, dma_map_single, one boot\'s map + '
                         'unmap) | 3750.0 (3750.0–3765.0) | 3750.0 '
                         '(3735.0–3755.0) | – | 1.000 | – |')

    def test_scenario_info(self):
        scn = scenario.parse_scenario(os.path.join(
            scenario.ROOT, 'tests/bench/x86-virtio.scn'))
        self.assertEqual(bench.per_call_info(scn), self.INFO)
        scn = scenario.parse_scenario(os.path.join(
            scenario.ROOT, 'tests/bench/x86-vtd.scn'))
        self.assertIsNone(bench.per_call_info(scn))


class Reuse(unittest.TestCase):
    def write(self, text):
        import tempfile
        fd, path = tempfile.mkstemp()
        with os.fdopen(fd, 'w') as f:
            f.write(text)
        self.addCleanup(os.unlink, path)
        return path

    def test_same_command_finished(self):
        path = self.write('# QEMU 7.2\n# qemu -a b\nRESULT x PASS\nDONE '
                          'failures=0\n')
        self.assertIn('RESULT x PASS', bench.reusable(path, ['qemu', '-a',
                                                             'b']))

    def test_other_command_or_unfinished(self):
        path = self.write('# QEMU 7.2\n# qemu -a b\nDONE failures=0\n')
        self.assertIsNone(bench.reusable(path, ['qemu', '-a', 'c']))
        path = self.write('# QEMU 7.2\n# qemu -a b\nRESULT x PASS\n')
        self.assertIsNone(bench.reusable(path, ['qemu', '-a', 'b']))
        self.assertIsNone(bench.reusable('/nonexistent', ['qemu']))

    def test_kernel_rebuilt_since(self):
        """A log older than the kernel it booted is not reused: the
        rebuilt kernel has the same command line (session 14 reused
        v11's boots for v13's kernel that way)."""
        kernel = self.write('')
        log = self.write(f'# QEMU 7.2\n# qemu -kernel {kernel}\nDONE x\n')
        cmd = ['qemu', '-kernel', kernel]
        os.utime(kernel, (1000, 1000))
        os.utime(log, (2000, 2000))
        self.assertIsNotNone(bench.reusable(log, cmd))
        os.utime(kernel, (3000, 3000))
        self.assertIsNone(bench.reusable(log, cmd))
        self.assertIsNone(bench.reusable(log, cmd + ['-initrd', '/none']))


class IommufdRuns(unittest.TestCase):
    """iommufd-bench.log: the guest lines of a run of
    tests/bench/x86-vtd-iommufd.scn, with a FAIL line added."""

    def test_passing_lines_only(self):
        self.assertEqual(bench.iommufd_runs(fixture('iommufd-bench.log')),
                         [(4096, 133049.2, 172488.5, 254907.9, 257241.0),
                          (2097152, 3536944.8, 750653.7, 1751265.1,
                           535074.0)])

    def test_boot_metrics(self):
        m = bench.boot_metrics(fixture('iommufd-bench.log'))
        self.assertEqual(len(m), 8)
        self.assertEqual(m[('map', 4096, 'iommufd')], 172488.5)
        self.assertEqual(m[('unmap', 2097152, 'type1')], 1751265.1)

    def test_ratio_lines(self):
        m = bench.boot_metrics(fixture('iommufd-bench.log'))
        s = {('test', 'series', k): [v] for k, v in m.items()}
        rows, lines = bench.summarize('x86-vtd-iommufd', s, 1.0)
        self.assertEqual(len(rows), 8)
        self.assertEqual(lines, [
            'FAIL bench/x86-vtd-iommufd/test/map-4k-iommufd '
            'type1=133049.2ns iommufd=172488.5ns ratio=1.296 limit=1.000 '
            'boots=1',
            'PASS bench/x86-vtd-iommufd/test/map-2m-iommufd '
            'type1=3536944.8ns iommufd=750653.7ns ratio=0.212 limit=1.000 '
            'boots=1',
            'FAIL bench/x86-vtd-iommufd/test/unmap-4k-iommufd '
            'type1=254907.9ns iommufd=257241.0ns ratio=1.009 limit=1.000 '
            'boots=1',
            'PASS bench/x86-vtd-iommufd/test/unmap-2m-iommufd '
            'type1=1751265.1ns iommufd=535074.0ns ratio=0.306 limit=1.000 '
            'boots=1'])

    def test_median_over_boots(self):
        s = {('test', 'series', ('map', 4096, 'type1')): [100.0, 300.0, 200.0],
             ('test', 'series', ('map', 4096, 'iommufd')): [90.0, 95.0, 500.0]}
        _, lines = bench.summarize('v', s, 1.0)
        self.assertEqual(lines, [
            'PASS bench/v/test/map-4k-iommufd type1=200.0ns iommufd=95.0ns '
            'ratio=0.475 limit=1.000 boots=3'])

    def test_type1_missing(self):
        s = {('test', 'series', ('map', 4096, 'iommufd')): [90.0]}
        self.assertEqual(bench.summarize('v', s, 1.0)[1], [])


class Icount(unittest.TestCase):
    def test_one_vcpu_and_icount(self):
        cmd = ['qemu-system-x86_64', '-accel', 'tcg', '-smp', '2',
               '-kernel', 'bzImage']
        self.assertEqual(bench.icount_command(cmd),
                         ['qemu-system-x86_64', '-accel', 'tcg', '-smp', '1',
                          '-kernel', 'bzImage', '-icount', 'shift=0,sleep=off'])
        self.assertEqual(cmd[4], '2')


class DeliveryRates(unittest.TestCase):
    """fault-bench.log is the suite's KTAP from a kunit.py console, as
    kunit.py exec --raw_output=kunit prints it."""

    def test_rates(self):
        rates = fault_bench.delivery_rates(fixture('fault-bench.log'))
        self.assertEqual(rates, {1: 8122, 4: 11005})

    def test_failed_case(self):
        log = fixture('fault-bench.log').replace(
            '    ok 2 bench_fault_four_threads',
            '    not ok 2 bench_fault_four_threads').replace(
                'ok 1 iommu-fault-bench', 'not ok 1 iommu-fault-bench')
        self.assertIsNone(fault_bench.delivery_rates(log))

    def test_hang(self):
        log = fixture('fault-bench.log')
        self.assertIsNone(fault_bench.delivery_rates(
            log[:log.index('    ok 1 bench_fault_one_thread')]))

    def test_figure_missing(self):
        log = fixture('fault-bench.log').replace('4 thread(s): 11005 faults/s',
                                                 'no figure')
        self.assertIsNone(fault_bench.delivery_rates(log))


if __name__ == '__main__':
    unittest.main()
