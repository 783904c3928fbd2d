# SPDX-License-Identifier: GPL-2.0
"""What scripts/bench.py and scripts/fault_bench.py read from a boot."""
import unittest

from common import fixture
import bench
import fault_bench


class BenchRuns(unittest.TestCase):
    def test_passing_lines_only(self):
        self.assertEqual(bench.bench_runs(fixture('bench.log')),
                         [(1, 2.31, 1.87), (16, 10.5, 8.25)])

    def test_none(self):
        self.assertEqual(bench.bench_runs('RESULT bench FAIL dev=x '
                                          'bind-errno=19\n'), [])


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
