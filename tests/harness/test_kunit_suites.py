# SPDX-License-Identifier: GPL-2.0
"""scripts/kunit_suites.py and scripts/ktap.py on KUnit consoles.

kunit-x86_64-good.log is a console kunit.py saved (build/x86_64/test.log,
the boot before KTAP trimmed); kunit-good.log is five of its suites, and
the other kunit-*.log are that one broken the ways a run breaks
(fixtures/README.md).
"""
import sys
import unittest
from unittest import mock

from common import fixture, fixture_path, printed
import ktap
import kunit_suites

SUITES = fixture_path('kunit/suites.txt')
LISTED = ['hlist', 'iommu-static-domain', 'iommu-dma-owner',
          'virtio-iommu-fault']


def judge(name, listed=LISTED):
    """(number of FAIL lines, the lines) of the suites of a fixture."""
    return printed(kunit_suites.judge_suites, 'x86_64',
                   ktap.parse(fixture(name)), listed, 'LOG')


def clean(text):
    warnings = kunit_suites.expected_warnings(
        fixture_path('kunit/expected-warnings.txt'))
    return printed(kunit_suites.clean_log, 'x86_64', text.splitlines(),
                   warnings)


def main(log, rc='0', suites=SUITES):
    argv = ['kunit_suites.py', 'x86_64', log, suites, rc, 'LOG']
    with mock.patch.object(sys, 'argv', argv):
        return printed(kunit_suites.main)


class SuitesFile(unittest.TestCase):
    def test_arch_filter(self):
        self.assertEqual(kunit_suites.expected_suites(SUITES, 'x86_64'),
                         LISTED)
        self.assertEqual(kunit_suites.expected_suites(SUITES, 'arm64'),
                         LISTED + ['arm-smmu-v3-streams'])


class Judge(unittest.TestCase):
    def test_good(self):
        failed, lines = judge('kunit-good.log')
        self.assertEqual(failed, 0)
        self.assertEqual(lines, [
            'PASS kunit/x86_64/hlist cases=18 not-passed=0',
            'PASS kunit/x86_64/iommu-static-domain cases=4 not-passed=0',
            'PASS kunit/x86_64/iommu-dma-owner cases=13 not-passed=0',
            'PASS kunit/x86_64/virtio-iommu-fault cases=9 not-passed=0'])

    def test_real_console(self):
        """The whole console of a run, against the suites.txt of that time
        (kunit/suites-v4.txt): what make test printed for it."""
        status, lines = main(fixture_path('kunit-x86_64-good.log'),
                             suites=fixture_path('kunit/suites-v4.txt'))
        self.assertEqual(status, 0, lines)
        self.assertEqual(len(lines), 12)
        self.assertTrue(all(line.startswith('PASS ') for line in lines))
        self.assertIn('PASS kunit/x86_64/iommu-fault cases=21 not-passed=0',
                      lines)
        self.assertIn('PASS kunit/x86_64/amd-iommu-fault cases=10 '
                      'not-passed=0', lines)
        self.assertEqual(lines[-1], 'PASS kunit/x86_64/clean-log 660 lines, '
                         'no kernel complaint, 1 expected warnings')

    def test_hang_mid_suite(self):
        """The console stops inside iommu-dma-owner (kunit.py's timeout)."""
        failed, lines = judge('kunit-hang.log')
        self.assertEqual(failed, 3)
        self.assertIn('PASS kunit/x86_64/iommu-static-domain cases=4 '
                      'not-passed=0', lines)
        self.assertIn('FAIL kunit/x86_64/iommu-dma-owner cases=13 '
                      'not-passed=9 crash (log LOG)', lines)
        self.assertIn('FAIL kunit/x86_64/virtio-iommu-fault missing '
                      '(log LOG)', lines)
        self.assertIn('FAIL kunit/x86_64/run 2 suites of the plan never '
                      'printed; parser: missing expected subtest! (log LOG)',
                      lines)

    def test_hang_in_unlisted_suite(self):
        failed, lines = judge('kunit-hang.log', ['hlist'])
        self.assertEqual(failed, 2)
        self.assertIn('FAIL kunit/x86_64/iommu-dma-owner unlisted suite: '
                      'crash (log LOG)', lines)

    def test_panic(self):
        failed, lines = judge('kunit-panic.log')
        self.assertEqual(failed, 3)
        self.assertIn('FAIL kunit/x86_64/iommu-dma-owner cases=13 '
                      'not-passed=9 crash (log LOG)', lines)
        failed, lines = clean(fixture('kunit-panic.log'))
        self.assertEqual(failed, 1)
        self.assertTrue(lines[0].startswith(
            'FAIL kunit/x86_64/clean-log BUG: kernel NULL pointer'), lines)

    def test_suite_twice(self):
        failed, lines = judge('kunit-twice.log')
        self.assertEqual(failed, 1)
        self.assertIn('FAIL kunit/x86_64/hlist cases=36 not-passed=0 2-runs '
                      '(log LOG)', lines)

    def test_unlisted_suite_twice(self):
        failed, lines = judge('kunit-twice.log', LISTED[1:])
        self.assertEqual(failed, 1)
        self.assertEqual(lines[-1], 'FAIL kunit/x86_64/hlist unlisted suite: '
                         '2-runs (log LOG)')

    def test_whole_run_twice(self):
        """A second KTAP run after the first one's plan is complete."""
        text = fixture('kunit-good.log')
        ktap_text = text[text.index('KTAP version 1'):]
        result = ktap.parse(text + ktap_text)
        self.assertEqual(ktap.outcome(result.suites['iommu-dma-owner']),
                         '2-runs')

    def test_missing_suite(self):
        failed, lines = judge('kunit-missing.log')
        self.assertEqual(failed, 1)
        self.assertEqual(lines[1], 'FAIL kunit/x86_64/iommu-static-domain '
                         'missing (log LOG)')

    def test_failed_subtest(self):
        failed, lines = judge('kunit-failed.log')
        self.assertEqual(failed, 1)
        self.assertEqual(lines[1], 'FAIL kunit/x86_64/iommu-static-domain '
                         'cases=4 not-passed=1 fail (log LOG)')

    def test_failed_unlisted_suite(self):
        failed, lines = judge('kunit-failed.log', ['hlist'])
        self.assertEqual(failed, 1)
        self.assertIn('FAIL kunit/x86_64/iommu-static-domain unlisted '
                      'suite: fail (log LOG)', lines)

    def test_listed_suite_skipped(self):
        failed, lines = judge('kunit-good.log', ['iommu-hw-replace'])
        self.assertEqual(failed, 1)
        self.assertEqual(lines, ['FAIL kunit/x86_64/iommu-hw-replace '
                                 'cases=1 not-passed=1 skip (log LOG)'])

    def test_no_ktap(self):
        text = fixture('kunit-good.log')
        result = ktap.parse(text[:text.index('KTAP version 1')])
        failed, lines = printed(kunit_suites.judge_suites, 'x86_64', result,
                                ['hlist'], 'LOG')
        self.assertEqual(failed, 2)
        self.assertEqual(lines[-1], 'FAIL kunit/x86_64/run 0 suites of the '
                         'plan never printed; parser: could not find any '
                         'KTAP output (log LOG)')


class Main(unittest.TestCase):
    def test_good(self):
        status, lines = main(fixture_path('kunit-good.log'))
        self.assertEqual(status, 0)
        self.assertEqual(len(lines), 5)

    def test_kunit_py_failed(self):
        """kunit.py's exit status fails the run even when every suite
        looks right."""
        status, lines = main(fixture_path('kunit-good.log'), rc='1')
        self.assertEqual(status, 1)
        self.assertIn('FAIL kunit/x86_64/run kunit.py exit 1 (log LOG)',
                      lines)

    def test_no_console(self):
        status, lines = main(fixture_path('no-such.log'))
        self.assertEqual(status, 1)
        self.assertTrue(lines[0].startswith('FAIL kunit/x86_64/run no kernel '
                                            'log'), lines)

    def test_hang(self):
        status, lines = main(fixture_path('kunit-hang.log'), rc='1')
        self.assertEqual(status, 1)
        self.assertNotIn('FAIL kunit/x86_64/run kunit.py exit 1 (log LOG)',
                         lines)


class CleanLog(unittest.TestCase):
    def test_expected_warning_once(self):
        failed, lines = clean(fixture('kunit-good.log'))
        self.assertEqual(failed, 0)
        self.assertEqual(lines, ['PASS kunit/x86_64/clean-log 236 lines, no '
                                 'kernel complaint, 1 expected warnings'])

    def test_expected_warning_missing(self):
        text = fixture('kunit-good.log')
        start = text.index('------------[ cut here ]')
        end = text.index('---[ end trace')
        failed, lines = clean(text[:start] + text[end:].split('\n', 1)[1])
        self.assertEqual(failed, 1)
        self.assertEqual(lines, ['FAIL kunit/x86_64/clean-log '
                                 'iommu_device_release_dma_owner warned 0 '
                                 'times, not once'])

    def test_expected_warning_twice(self):
        text = fixture('kunit-good.log')
        start = text.index('------------[ cut here ]')
        end = text.index('\n', text.index('---[ end trace')) + 1
        failed, lines = clean(text[:end] + text[start:])
        self.assertEqual(failed, 1)
        self.assertIn('warned 2 times, not once', lines[0])

    def test_unexpected_warning(self):
        text = fixture('kunit-good.log').replace(
            'iommu_device_release_dma_owner+0x44/0xb0',
            'iommu_group_release_dma_owner+0x44/0xb0', 1)
        failed, lines = clean(text)
        self.assertEqual(failed, 1)
        self.assertTrue(lines[0].startswith(
            'FAIL kunit/x86_64/clean-log WARNING: CPU: 0 PID: 141 at '
            '../linux/drivers/iommu/iommu.c:3820 '
            'iommu_group_release_dma_owner+0x44/0xb0'), lines)


if __name__ == '__main__':
    unittest.main()
