# SPDX-License-Identifier: GPL-2.0
"""scripts/scenario.py's judges on a scenario console.

x86-vtd.log is the console of x86-vtd.scn (a copy of
tests/scenarios/x86-vtd.scn) as make test saved it, the early boot
trimmed; every test below breaks one thing in it and looks for the one
check that must fail.
"""
import os
import re
import tempfile
import unittest

from common import fixture, fixture_path
import scenario

SCN = scenario.parse_scenario(fixture_path('x86-vtd.scn'))
LOG = fixture('x86-vtd.log')
GUEST_CHECKS = [c for c in SCN['expect'].split() if c != 'iommu-fault']


def judge(log=LOG, status=0, scn=SCN):
    """{check: (passed, detail)}; a check judged twice is kept as a list."""
    out = {}
    for check, passed, detail in scenario.judge(scn, log, status):
        if check in out:
            prior = out[check]
            out[check] = (prior if isinstance(prior, list) else [prior])
            out[check].append((passed, detail))
        else:
            out[check] = (passed, detail)
    return out


def failed(results):
    def ok(r):
        return all(p for p, _ in r) if isinstance(r, list) else r[0]
    return sorted(c for c, r in results.items() if not ok(r))


def drop_lines(log, pattern):
    return ''.join(line for line in log.splitlines(True)
                   if not re.search(pattern, line))


class ParseScenario(unittest.TestCase):
    def test_keys(self):
        self.assertEqual(SCN['name'], 'x86-vtd')
        self.assertEqual(SCN['iommu'], 'vtd')
        # Repeated keys are joined with spaces.
        self.assertIn('intremap=on -drive file=@DISK@', SCN['qemu'])
        self.assertEqual(len(SCN['expect'].split()), 16)

    def test_kunit_glob(self):
        scn = dict(SCN)
        self.assertEqual(scenario.kunit_glob(scn), 'iommu-hw-[fpr]*')
        scn['kunit'] = 'iommu-hw-paging:pass iommu-hw-replace:pass'
        self.assertEqual(scenario.kunit_glob(scn), 'iommu-hw-[pr]*')
        scn['kunit'] = 'iommu-hw-paging:skip'
        self.assertEqual(scenario.kunit_glob(scn), 'iommu-hw-paging')
        del scn['kunit']
        self.assertEqual(scenario.kunit_glob(scn), 'none')
        scn['kunit'] = 'iommu-paging-domain:pass iommu-sva-dma:pass'
        scn['kunit-glob'] = 'iommu-[ps]?[!s]*'
        self.assertEqual(scenario.kunit_glob(scn), 'iommu-[ps]?[!s]*')


    def test_qemu_version(self):
        self.assertEqual(SCN['qemu-version'], '7.2')
        with open(fixture_path('x86-vtd.scn')) as f:
            text = f.read()
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, 'x86-vtd-sm.scn')
            for version, ok in (('10', True), ('7.2', True), ('9', False)):
                with open(path, 'w') as f:
                    f.write(text + f'qemu-version = {version}\n')
                if ok:
                    scn = scenario.parse_scenario(path)
                    self.assertEqual(scn['qemu-version'], version)
                else:
                    with self.assertRaises(SystemExit):
                        scenario.parse_scenario(path)

    def test_qemu_binary(self):
        argv, env = scenario.qemu_binary(SCN, '/nonexistent')
        self.assertEqual(argv, scenario.QEMU['x86_64'])
        self.assertIsNone(env)


def run_fake_qemu(script, timeout, version='10.0'):
    """scenario.run_qemu() on a fake QEMU, a shell @script that answers
    --version with @version: (log, status, seconds)."""
    with tempfile.TemporaryDirectory() as tmp:
        fake = os.path.join(tmp, 'qemu')
        with open(fake, 'w') as f:
            f.write('#!/bin/sh\n'
                    f'[ "$1" = --version ] && echo "QEMU emulator {version}" '
                    '&& exit 0\n' + script)
        os.chmod(fake, 0o755)
        return scenario.run_qemu([fake], os.path.join(tmp, 'log'), timeout)


class RunQemu(unittest.TestCase):
    def test_stderr_kept_off_the_console(self):
        """QEMU reports guest errors on stderr (virtio_iommu_translate...)
        while the guest's UART writes a line byte by byte: the console keeps
        the guest's lines whole, and QEMU's own lines follow it."""
        log, status, _ = run_fake_qemu(
            'printf "    # Subt"\n'
            'echo "qemu: no mapping for 0x300000" >&2\n'
            'printf "est: iommu-hw-paging\\n"\n', 10)
        self.assertEqual(status, 0)
        self.assertEqual(log.splitlines()[2:], [
            '    # Subtest: iommu-hw-paging',
            '# qemu stderr:',
            'qemu: no mapping for 0x300000'])

    def test_timeout_asks_the_monitor(self):
        """A guest that outlives the timeout: QEMU's monitor (here a fake
        QEMU without one) is asked where the CPUs are, and the log says
        what it answered before QEMU is killed."""
        log, status, secs = run_fake_qemu(
            'echo "DONE failures=0"\n'
            'echo "reboot: Power down"\n'
            'exec sleep 30\n', 1, '7.2')
        self.assertEqual(status, 'timeout')
        self.assertLess(secs, 10)
        self.assertEqual(log.splitlines()[2:], [
            'DONE failures=0', 'reboot: Power down', '',
            '# at the timeout: vm-status="no answer"'])
        self.assertEqual(scenario.last_console_line(log),
                         'reboot: Power down')


    def test_last_console_line(self):
        """The guest's own "# " lines (KTAP comments) are console lines;
        the harness's header, stderr and timeout lines are not."""
        log = ('# QEMU emulator 7.2\n# qemu -kernel k\nSTEP x\n'
               '# iommu-hw-paging: pass:1\n\n'
               + scenario.TIMEOUT_MARK + 'vm-status="running"\n'
               + scenario.STDERR_MARK + 'qemu: warning\n')
        self.assertEqual(scenario.last_console_line(log),
                         '# iommu-hw-paging: pass:1')
        self.assertEqual(scenario.last_console_line(log.split('STEP')[0]),
                         '')


MONITOR = (
    'QEMU 7.2.22 monitor - type \'help\' for more information\r\n'
    '(qemu) info status\r\nVM status: paused (shutdown)\r\n'
    '(qemu) info registers -a\r\n\r\nCPU#0\r\n'
    'RAX=0000000000040100 RBX=ffffa2a181050680\r\n'
    'RIP=ffffffffb713a92d RFL=00000006 [-----P-] CPL=0 II=0 A20=1\r\n'
    '\r\nCPU#1\r\nRAX=0000000000000000\r\n'
    'RIP=ffffffffb6e31679 RFL=00000046 [---Z-P-] CPL=0 II=0 A20=1\r\n'
    '\r\nCPU#2\r\n PC=ffff800008e0a10c X00=0000000000000000\r\n'
    '(qemu) ')
SYMS = [(0xffffffff81000000, '_text'), (0xffffffff81031610, 'stop_this_cpu'),
        (0xffffffff8133a800, 'acpi_hw_write'), (0xffffffff8133aa00, 'next')]


class WhereCpus(unittest.TestCase):
    def test_symbolized(self):
        console = 'INFO guest steps=1\nINFO kernel-text addr=0xffffffffb6e00000\n'
        self.assertEqual(scenario.where_cpus(MONITOR, console, SYMS), [
            'vm-status="paused (shutdown)"',
            'cpu0-pc=0xffffffffb713a92d(acpi_hw_write+0x12d)',
            'cpu1-pc=0xffffffffb6e31679(stop_this_cpu+0x69)',
            'cpu2-pc=0xffff800008e0a10c'])

    def test_kernel_text_unknown(self):
        self.assertEqual(scenario.where_cpus(MONITOR, '', SYMS)[1:], [
            'cpu0-pc=0xffffffffb713a92d', 'cpu1-pc=0xffffffffb6e31679',
            'cpu2-pc=0xffff800008e0a10c'])

    def test_no_answer(self):
        self.assertEqual(scenario.where_cpus('', '', SYMS),
                         ['vm-status="no answer"'])


class Judge(unittest.TestCase):
    def test_good(self):
        results = judge()
        self.assertEqual(failed(results), [])
        self.assertEqual(sorted(results), sorted(
            GUEST_CHECKS + ['iommu-fault', 'boot', 'clean-log'] +
            ['kunit-iommu-hw-paging', 'kunit-iommu-hw-replace',
             'kunit-iommu-hw-fault']))
        self.assertEqual(results['kunit-iommu-hw-fault'],
                         (True, 'want=pass got=pass'))
        self.assertEqual(results['boot'], (True, 'exit=0 guest-done=True'))

    def test_each_check_absent(self):
        for check in GUEST_CHECKS:
            with self.subTest(check=check):
                results = judge(drop_lines(LOG, rf'^RESULT {check} '))
                self.assertEqual(failed(results), [check])
                self.assertEqual(results[check], (False, 'not reported'))

    def test_each_check_failing(self):
        for check in GUEST_CHECKS:
            with self.subTest(check=check):
                log = re.sub(rf'^RESULT {check} PASS', f'RESULT {check} FAIL',
                             LOG, flags=re.M)
                self.assertEqual(failed(judge(log)), [check])

    def test_unexpected_failure(self):
        log = LOG.replace('DONE ', 'RESULT dma-fq FAIL errno=22\nDONE ')
        results = judge(log)
        self.assertEqual(failed(results), ['dma-fq'])
        self.assertEqual(results['dma-fq'],
                         (False, 'unexpected failure: errno=22'))

    def test_fault_not_reported(self):
        log = drop_lines(LOG, r'fault addr 0x101000 ')
        results = judge(log)
        self.assertEqual(failed(results), ['iommu-fault'])
        self.assertEqual(results['iommu-fault'],
                         (False, 'no report for 0000:00:03.0 at 0x101000'))

    def test_fault_not_expected_by_guest(self):
        results = judge(drop_lines(LOG, r'^INFO fault-expected'))
        self.assertEqual(results['iommu-fault'],
                         (False, 'guest expected no fault'))

    def test_guest_not_done(self):
        results = judge(drop_lines(LOG, r'^DONE '))
        self.assertEqual(failed(results), ['boot'])

    def test_qemu_timeout(self):
        log = LOG + '\n# at the timeout: vm-status="running"\n' \
            '# at the timeout: cpu0-pc=0xffffffff81031679(stop_this_cpu+0x69)\n'
        results = judge(log, status='timeout')
        self.assertEqual(failed(results), ['boot'])
        self.assertEqual(results['boot'], (False, (
            'exit=timeout guest-done=True last="%s" vm-status="running" '
            'cpu0-pc=0xffffffff81031679(stop_this_cpu+0x69)') %
            scenario.last_console_line(LOG)))

    def test_console_checks(self):
        scn = dict(SCN)
        scn['console-legacy-fault'] = r'^DMAR: \[DMA Write NO_PASID\] '
        scn['console-first-level'] = r'\[fault reason 0x71\]'
        results = judge(scn=scn)
        self.assertEqual(failed(results), ['console-first-level'])
        self.assertTrue(results['console-legacy-fault'][1].startswith(
            'DMAR: [DMA Write NO_PASID] Request device [00:03.0]'))
        self.assertIn('no line matches', results['console-first-level'][1])
        log = fixture('fault-vtd-sm.log')
        self.assertTrue(judge(log, scn=scn)['console-first-level'][0])

    def test_kernel_complaint(self):
        log = LOG.replace('Run /init as init process',
                          'WARNING: CPU: 1 PID: 1 at drivers/iommu/iommu.c:'
                          '3820 iommu_attach_group+0x10/0x20\n'
                          'Run /init as init process')
        results = judge(log)
        self.assertEqual(failed(results), ['clean-log'])


    def test_expected_warning_once(self):
        """A warning that a suite of "kunit =" provokes on purpose (the
        tests/kunit/expected-warnings.txt entry of iommu-paging-domain)
        passes once, and fails when absent, twice, or for a scenario that
        does not run that suite."""
        warn = ('------------[ cut here ]------------\n'
                'WARNING: CPU: 0 PID: 34 at ../linux/drivers/iommu/iommu.c:'
                '1999 iommu_domain_init+0x92/0xc0\n'
                'RIP: 0010:iommu_domain_init+0x92/0xc0\n'
                '---[ end trace 0000000000000000 ]---\n')
        mark = 'Run /init as init process'
        scn = dict(SCN, kunit=SCN.get('kunit', '') +
                   ' iommu-paging-domain:pass')
        clean = {n: judge(LOG.replace(mark, warn * n + mark),
                          scn=scn)['clean-log'] for n in (0, 1, 2)}
        self.assertEqual([clean[n][0] for n in (0, 1, 2)],
                         [False, True, False])
        self.assertIn('1 expected warnings', clean[1][1])
        self.assertIn('iommu_domain_init warned 0 times', clean[0][1])
        self.assertIn('iommu_domain_init warned 2 times', clean[2][1])
        self.assertFalse(judge(LOG.replace(mark, warn + mark))
                         ['clean-log'][0])


class JudgeKunit(unittest.TestCase):
    """The scenario's in-guest KUnit suites, through the KTAP parser."""

    def kunit(self, log, scn=SCN):
        return {c: r for c, r in judge(log, scn=scn).items()
                if c.startswith('kunit-')}

    def test_console_hangs_mid_suite(self):
        log = LOG[:LOG.index('DMAR: [DMA Read NO_PASID]')]
        results = self.kunit(log)
        self.assertEqual(results['kunit-iommu-hw-fault'],
                         (False, 'want=pass got=crash'))
        self.assertTrue(results['kunit-iommu-hw-paging'][0])
        self.assertEqual(judge(log, status='timeout')['boot'][0], False)

    def test_console_panics_mid_suite(self):
        log = LOG[:LOG.index('    # test_hw_fault_to_handler: 0000:00:03.0: '
                             'fault 1')]
        log += ('Kernel panic - not syncing: Fatal exception in interrupt\n'
                '---[ end Kernel panic - not syncing: Fatal exception in '
                'interrupt ]---\n')
        results = judge(log)
        self.assertEqual(results['kunit-iommu-hw-fault'],
                         (False, 'want=pass got=crash'))
        self.assertFalse(results['clean-log'][0])
        self.assertIn('Kernel panic', results['clean-log'][1])

    def test_suite_absent(self):
        start = LOG.index('    KTAP version 1\n    # Subtest: iommu-hw-fault')
        end = LOG.index('ok 3 iommu-hw-fault\n') + len('ok 3 '
                                                          'iommu-hw-fault\n')
        log = (LOG[:start] + LOG[end:]).replace('\n1..3\n', '\n1..2\n')
        results = self.kunit(log)
        self.assertEqual(results['kunit-iommu-hw-fault'],
                         (False, 'want=pass got=None'))
        self.assertEqual([c for c, r in results.items() if not r[0]],
                         ['kunit-iommu-hw-fault'])

    def test_plan_not_finished(self):
        """The plan's third suite never starts: both the suite and the
        plan fail."""
        start = LOG.index('    KTAP version 1\n    # Subtest: iommu-hw-fault')
        end = LOG.index('ok 3 iommu-hw-fault\n') + len('ok 3 '
                                                          'iommu-hw-fault\n')
        results = self.kunit(LOG[:start] + LOG[end:])
        self.assertEqual(results['kunit-iommu-hw-fault'],
                         (False, 'want=pass got=None'))
        self.assertEqual(results['kunit-plan'],
                         (False, 'suites of the plan never printed: '
                          'missing expected subtest!'))

    def test_suite_twice(self):
        start = LOG.index('    KTAP version 1\n    # Subtest: iommu-hw-paging')
        end = LOG.index('ok 1 iommu-hw-paging\n')
        paging = LOG[start:end] + 'ok 4 iommu-hw-paging\n'
        log = LOG.replace('ok 3 iommu-hw-fault\n',
                          'ok 3 iommu-hw-fault\n' + paging).replace(
                              '\n1..3\n', '\n1..4\n')
        results = self.kunit(log)
        self.assertEqual(results['kunit-iommu-hw-paging'],
                         (False, 'want=pass got=2-runs'))
        self.assertTrue(results['kunit-iommu-hw-fault'][0])

    def test_suite_not_listed(self):
        """A suite the glob let in by mistake fails."""
        scn = dict(SCN, kunit='iommu-hw-paging:pass iommu-hw-replace:pass')
        results = self.kunit(LOG, scn)
        self.assertEqual(results['kunit-iommu-hw-fault'],
                         (False, 'ran, not in "kunit =" (glob '
                          'iommu-hw-[pr]*)'))

    def test_failed_case(self):
        log = LOG.replace('    ok 1 test_hw_fault_to_handler',
                          '    not ok 1 test_hw_fault_to_handler').replace(
                              'ok 3 iommu-hw-fault', 'not ok 3 iommu-hw-fault')
        self.assertEqual(self.kunit(log)['kunit-iommu-hw-fault'],
                         (False, 'want=pass got=fail'))

    def test_skip_with_reason(self):
        log = LOG.replace(
            '    ok 1 test_hw_fault_to_handler',
            '    ok 1 test_hw_fault_to_handler # SKIP 0000:00:03.0: the '
            'IOMMU driver does not report its faults').replace(
                'ok 3 iommu-hw-fault', 'ok 3 iommu-hw-fault # SKIP')
        self.assertEqual(self.kunit(log)['kunit-iommu-hw-fault'],
                         (False, 'want=pass got=skip (0000:00:03.0: the '
                          'IOMMU driver does not report its faults)'))
        scn = dict(SCN, kunit=SCN['kunit'].replace('fault:pass',
                                                   'fault:skip'))
        self.assertTrue(self.kunit(log, scn)['kunit-iommu-hw-fault'][0])

    def test_no_kunit_wanted(self):
        scn = {k: v for k, v in SCN.items() if k != 'kunit'}
        self.assertEqual(self.kunit(LOG[:LOG.index('KTAP version')], scn), {})


class FindFault(unittest.TestCase):
    """The matchers of each IOMMU's fault report."""

    def test_vtd(self):
        line = scenario.find_fault('vtd', LOG, '0000:00:03.0', 0x101000)
        self.assertEqual(line, 'DMAR: [DMA Write NO_PASID] Request device '
                         '[00:03.0] fault addr 0x101000 [fault reason 0x05] '
                         'PTE Write access is not set')

    def test_vtd_wrong_address_or_device(self):
        self.assertIsNone(scenario.find_fault('vtd', LOG, '0000:00:03.0',
                                              0x10100))
        self.assertIsNone(scenario.find_fault('vtd', LOG, '0000:00:03.0',
                                              0x1010000))
        self.assertIsNone(scenario.find_fault('vtd', LOG, '0000:00:04.0',
                                              0x101000))
        self.assertIsNone(scenario.find_fault('vtd', LOG, '0000:01:03.0',
                                              0x101000))

    def test_vtd_scalable_mode(self):
        """Scalable mode names the RID_PASID where legacy says NO_PASID."""
        log = fixture('fault-vtd-sm.log')
        self.assertEqual(scenario.find_fault('vtd', log, '0000:00:03.0',
                                             0x101000),
                         'DMAR: [DMA Write PASID 0x0] Request device '
                         '[00:03.0] fault addr 0x101000 [fault reason 0x71] '
                         'SM: Present bit in first-level paging entry is '
                         'clear')
        # Another address or device, or the read at 0x300000: not it.
        for bdf, iova in (('0000:00:03.0', 0x10100),
                          ('0000:00:04.0', 0x101000),
                          ('0000:00:03.0', 0x300000)):
            self.assertIsNone(scenario.find_fault('vtd', log, bdf, iova))
        other = ('DMAR: [INTR-REMAP] Request device [00:03.0] fault index '
                 '0x101000 [fault reason 0x22] Present field in the IRTE '
                 'entry is clear\n'
                 'DMAR: [DMA Write PASID] Request device [00:03.0] fault '
                 'addr 0x101000 [fault reason 0x71] x\n')
        self.assertIsNone(scenario.find_fault('vtd', other, '0000:00:03.0',
                                              0x101000))

    def test_virtio(self):
        log = fixture('fault-virtio.log')
        self.assertEqual(scenario.find_fault('virtio', log, '0000:00:03.0',
                                             0x101000),
                         'virtio_iommu virtio0: page fault from EP 24 at '
                         '0x101000 []')
        self.assertIsNone(scenario.find_fault('virtio', log, '0000:00:04.0',
                                              0x101000))
        self.assertIsNone(scenario.find_fault('virtio', log, '0000:00:03.0',
                                              0x10100))

    def test_smmuv3(self):
        log = fixture('fault-smmuv3.log')
        self.assertEqual(scenario.find_fault('smmuv3', log, '0000:00:03.0',
                                             0x101004),
                         'arm-smmu-v3 9050000.smmuv3: event 0x10 received:')
        self.assertIsNone(scenario.find_fault('smmuv3', log, '0000:00:04.0',
                                              0x101000))
        self.assertIsNone(scenario.find_fault('smmuv3', log, '0000:00:03.0',
                                              0x10100c))

    def test_smmuv3_guest_line_inside_record(self):
        # A guest line that lands among the words of a record (seen on
        # arm64-smmuv3-nested) does not hide it; a record cut short by
        # the next one is not taken for whole.
        words = ['\t0x0000001800000010', '\t0x0000020000000000',
                 '\t0x0000000000401000', '\t0x0000000000000000']
        head = 'arm-smmu-v3 9050000.smmuv3: event 0x10 received:'
        dev = 'arm-smmu-v3 9050000.smmuv3: '
        log = '\n'.join([head, dev + words[0], dev + words[1],
                         'RESULT iommufd-unmap-blocked PASS',
                         dev + words[2], dev + words[3]])
        self.assertEqual(scenario.find_fault('smmuv3', log, '0000:00:03.0',
                                             0x401000), head)
        log = '\n'.join([head, dev + words[0], dev + words[1], head,
                         dev + words[2], dev + words[3]])
        self.assertIsNone(scenario.find_fault('smmuv3', log, '0000:00:03.0',
                                              0x401000))

    def test_amd(self):
        log = fixture('fault-amd.log')
        self.assertIn('vfio-pci 0000:00:03.0: AMD-Vi: Event logged',
                      scenario.find_fault('amd', log, '0000:00:03.0',
                                          0x101000))
        self.assertIn('device=0000:00:04.0 ',
                      scenario.find_fault('amd', log, '0000:00:04.0',
                                          0x101000))
        self.assertIsNone(scenario.find_fault('amd', log, '0000:00:05.0',
                                              0x101000))
        self.assertIsNone(scenario.find_fault('amd', log, '0000:00:03.0',
                                              0x10100))


if __name__ == '__main__':
    unittest.main()
