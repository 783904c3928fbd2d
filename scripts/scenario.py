#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Boot one hardware scenario under QEMU and judge what the guest printed.

A scenario file (tests/scenarios/*.scn) names the machine, the emulated
IOMMU, the devices, the kernel command line and the guest steps, and lists
the checks that must pass.  tests/README.md describes the format.

Each check becomes one line on stdout, "PASS <scenario>/<check> ..." or
"FAIL <scenario>/<check> ...", and the exit status is the number of failures
(capped at 100).  With --report the same run also prints what a person wants
to read: the IOMMU found, the groups, the VFIO results and the fault.
"""
import argparse
import bisect
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ktap  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

QEMU = {
    'x86_64': ['qemu-system-x86_64', '-accel', 'tcg', '-m', '1G', '-smp', '2'],
    'arm64': ['qemu-system-aarch64', '-accel', 'tcg', '-m', '1G', '-smp', '2',
              '-cpu', 'cortex-a57'],
}
KERNEL = {
    'x86_64': 'arch/x86/boot/bzImage',
    'arm64': 'arch/arm64/boot/Image',
}
CONSOLE = {'x86_64': 'ttyS0', 'arm64': 'ttyAMA0'}
# "qemu-version": the system's QEMU (Debian 12's 7.2) unless a scenario
# needs QEMU 10, which scripts/qemu10.sh unpacks from bookworm-backports
# into build/qemu10 (once).
QEMU_VERSIONS = ('7.2', '10')

# Anything the kernel says when it is unhappy fails the scenario.
LOG_PROBLEMS = re.compile(
    r'BUG:|WARNING:|Oops|KASAN|Kernel panic|unreferenced object|'
    r'possible circular locking|possible recursive locking|'
    r'inconsistent lock state|suspicious RCU usage|Call Trace:|'
    r'kernel BUG at')

DISK_BYTES = 32 << 20
# What run_qemu() adds to a boot's log after the console: QEMU's stderr,
# and where the CPUs were if the boot timed out.
STDERR_MARK = '# qemu stderr:\n'
TIMEOUT_MARK = '# at the timeout: '


def parse_scenario(path):
    """Reads "key = value" lines; repeated keys are joined with spaces."""
    scn = {'name': os.path.splitext(os.path.basename(path))[0]}
    with open(path) as f:
        for raw in f:
            line = raw.strip()
            if not line or line.startswith('#'):
                continue
            key, sep, value = line.partition('=')
            if not sep:
                raise SystemExit(f'{path}: not "key = value": {line}')
            key, value = key.strip(), value.strip()
            scn[key] = f'{scn[key]} {value}' if key in scn else value
    for key in ('arch', 'iommu', 'steps', 'expect'):
        if key not in scn:
            raise SystemExit(f'{path}: missing "{key}"')
    scn.setdefault('qemu-version', QEMU_VERSIONS[0])
    if scn['qemu-version'] not in QEMU_VERSIONS:
        raise SystemExit(f'{path}: qemu-version {scn["qemu-version"]}: '
                         f'one of {", ".join(QEMU_VERSIONS)}')
    return scn


def disk_image(build):
    """A deterministic image the guest checksums through virtio-blk DMA."""
    path = os.path.join(build, 'disk.img')
    if not os.path.exists(path) or os.path.getsize(path) != DISK_BYTES:
        data = bytes((i * 131 + (i >> 11) * 7) & 0xff
                     for i in range(1 << 16))
        with open(path + '.tmp', 'wb') as f:
            for block in range(DISK_BYTES >> 16):
                f.write(bytes([block & 0xff]) + data[1:])
        os.replace(path + '.tmp', path)
    crc = 0
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            crc = zlib.crc32(chunk, crc)
    return path, crc


def qemu10(build):
    """(bin dir, environment) of the unpacked QEMU 10, fetched if need be."""
    env = dict(os.environ, BUILD=build)
    out = subprocess.run([os.path.join(ROOT, 'scripts', 'qemu10.sh')],
                         env=env, stdout=subprocess.PIPE, text=True)
    if out.returncode != 0:
        return None, None
    bindir = out.stdout.strip().splitlines()[-1]
    usr = os.path.dirname(bindir)
    env = dict(os.environ)
    libs = os.path.join(usr, 'lib', 'x86_64-linux-gnu')
    env['LD_LIBRARY_PATH'] = ':'.join(
        filter(None, [libs, os.environ.get('LD_LIBRARY_PATH')]))
    # Its own modules and firmware, not those of the system's 7.2.
    env['QEMU_MODULE_DIR'] = os.path.join(libs, 'qemu')
    return bindir, env


def qemu_binary(scn, build):
    """(argv prefix, environment) of the QEMU the scenario asks for; the
    prefix is None if that QEMU cannot be had."""
    base = QEMU[scn['arch']]
    if scn['qemu-version'] == '7.2':
        return base, None
    bindir, env = qemu10(build)
    if bindir is None:
        return None, None
    share = os.path.join(os.path.dirname(bindir), 'share', 'qemu')
    return [os.path.join(bindir, base[0]), '-L', share] + base[1:], env


def qemu_version(argv, env):
    out = subprocess.run([argv[0], '--version'], env=env, text=True,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if not out.stdout:
        return f'{argv[0]} --version: exit {out.returncode}'
    return out.stdout.splitlines()[0]


def qemu_command(scn, kbuild, initrd, disk, qemu=None):
    arch = scn['arch']
    steps = scn['steps'].replace('@DISK_CHECK@',
                                 f'/dev/vda:{DISK_BYTES}:{disk[1]:08x}')
    suite = kunit_glob(scn)
    append = ' '.join([
        f'console={CONSOLE[arch]}', 'panic=-1', 'loglevel=7',
        f'kunit.filter_glob={suite}', scn.get('append', ''), '--', steps])
    cmd = (qemu or QEMU[arch]) + [
        '-nodefaults', '-nographic', '-no-reboot', '-serial', 'stdio',
        '-kernel', os.path.join(kbuild, KERNEL[arch]),
        '-initrd', initrd, '-append', append]
    cmd += scn.get('qemu', '').replace('@DISK@', disk[0]).split()
    return cmd


def run_qemu(cmd, log_path, timeout, env=None, system_map=None):
    """Boots @cmd; returns (log, status, seconds).  The log is the guest's
    console, then QEMU's stderr after a "# qemu stderr:" line: QEMU reports
    DMA faults on stderr while the guest's UART writes a line byte by byte,
    and one file for both split the guest's lines (a KTAP line among them).
    If the guest outlives @timeout, QEMU's monitor is asked where its CPUs
    are before it is killed: "# at the timeout: ..." lines, symbolized
    through @system_map when one is given."""
    start = time.monotonic()
    with open(log_path, 'w') as log, tempfile.TemporaryFile('w+') as err, \
            tempfile.TemporaryDirectory() as tmp:
        log.write('# ' + qemu_version(cmd, env) + '\n')
        log.write('# ' + ' '.join(cmd) + '\n')
        log.flush()
        sock = os.path.join(tmp, 'monitor')
        proc = subprocess.Popen(
            cmd + ['-monitor', f'unix:{sock},server=on,wait=off'],
            stdout=log, stderr=err, stdin=subprocess.DEVNULL, env=env)
        try:
            status = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            status = 'timeout'
            where = cpus_at_timeout(sock, log_path, system_map)
            proc.kill()
            proc.wait()
            log.write('\n' + ''.join(f'{TIMEOUT_MARK}{line}\n'
                                      for line in where))
        err.seek(0)
        stderr = err.read()
        if stderr:
            log.write(STDERR_MARK + stderr)
    with open(log_path, errors='replace') as log:
        return log.read(), status, time.monotonic() - start


def monitor(sock, commands, wait=2.0):
    """What QEMU's human monitor on the unix socket @sock printed for
    @commands within @wait seconds of its last output."""
    out = b''
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(wait)
            conn.connect(sock)
            conn.sendall(''.join(c + '\n' for c in commands).encode())
            while chunk := conn.recv(65536):
                out += chunk
    except OSError:
        pass
    return out.decode(errors='replace')


def kernel_symbols(system_map):
    """[(address, name)] of @system_map's text symbols, sorted, or []."""
    syms = []
    try:
        with open(system_map) as f:
            for line in f:
                value, kind, name = line.split()[:3]
                if kind in 'TtWw':
                    syms.append((int(value, 16), name))
    except (OSError, TypeError, ValueError):
        return []
    return sorted(syms)


def symbolize(addr, syms, slide):
    """'name+0xoff' for the running kernel's @addr, its text moved by
    @slide from the link-time @syms, or '' outside them."""
    i = bisect.bisect_right(syms, (addr - slide, chr(0x10ffff))) - 1
    if i < 0 or i == len(syms) - 1:
        return ''
    value, name = syms[i]
    return f'{name}+0x{addr - slide - value:x}'


def cpus_at_timeout(sock, log_path, system_map):
    """Asks the monitor on @sock where the VM is; lines for the log."""
    out = monitor(sock, ['info status', 'info registers -a'])
    with open(log_path, errors='replace') as log:
        console = log.read()
    return where_cpus(out, console, kernel_symbols(system_map))


def where_cpus(out, console, syms):
    """The VM's run state and each CPU's program counter from the monitor's
    output @out, as lines; the program counters symbolized through @syms
    if the guest printed where its kernel text is (INFO kernel-text on the
    @console) and @syms has _text."""
    out = out.replace('\r\n', '\n')
    state = re.search(r'^VM status: (.+)$', out, re.M)
    lines = [f'vm-status="{state.group(1) if state else "no answer"}"']
    text = re.search(r'^INFO kernel-text addr=0x([0-9a-f]+)', console, re.M)
    link = next((v for v, n in syms if n == '_text'), None)
    slide = int(text.group(1), 16) - link if text and link else None
    for cpu, body in re.findall(r'^CPU#(\d+)\n(.*?)(?=^CPU#|\Z)', out,
                                re.M | re.S):
        pc = re.search(r'\b(?:RIP|PC) ?=([0-9a-f]+)', body)
        if not pc:
            continue
        addr = int(pc.group(1), 16)
        sym = symbolize(addr, syms, slide) if slide is not None else ''
        lines.append(f'cpu{cpu}-pc={addr:#x}' + (f'({sym})' if sym else ''))
    return lines


def last_console_line(log):
    """The guest's last console line: the log without its two header
    lines, QEMU's stderr and the lines written at a timeout."""
    console = log.split('\n' + STDERR_MARK)[0].splitlines()[2:]
    lines = [l.strip() for l in console
             if l.strip() and not l.startswith(TIMEOUT_MARK)]
    return lines[-1] if lines else ''


def bdf_parts(bdf):
    """'0000:00:03.0' -> (bus, slot, function)."""
    _, bus, devfn = bdf.split(':')
    slot, fn = devfn.split('.')
    return int(bus, 16), int(slot, 16), int(fn, 16)


def smmu_events(log):
    """The raw 4-dword records the SMMUv3 driver prints per event.  The
    driver prints a record in five messages, and a guest line written to
    /dev/kmsg meanwhile can land among them (a RESULT printed as the
    fault is reported): lines without a word are skipped, up to the next
    record."""
    events = []
    lines = log.splitlines()
    for i, line in enumerate(lines):
        m = re.search(r'event (0x[0-9a-f]+) received:', line)
        if not m:
            continue
        words = []
        for follow in lines[i + 1:i + 9]:
            if len(words) == 4 or re.search(r'event 0x[0-9a-f]+ received:',
                                            follow):
                break
            w = re.search(r'\s0x([0-9a-f]{16})\s*$', follow)
            if w:
                words.append(int(w.group(1), 16))
        if len(words) == 4:
            events.append((int(m.group(1), 16), words, line))
    return events


def find_fault(iommu, log, bdf, iova):
    """The kernel's report of an IOMMU fault at @iova by @bdf, or None."""
    bus, slot, fn = bdf_parts(bdf)
    rid = bus << 8 | slot << 3 | fn
    addr = f'0x{iova:x}'
    if iommu == 'vtd':
        # Legacy mode has no PASID; scalable mode reports the request
        # without PASID under its RID_PASID ("PASID 0x0").
        pat = (rf'DMAR: \[DMA Write (?:NO_PASID|PASID 0x[0-9a-f]+)\] '
               rf'Request device \[{bus:02x}:{slot:02x}\.{fn}\] '
               rf'fault addr {addr} ')
    elif iommu == 'amd':
        pat = (rf'({re.escape(bdf)}: |device={re.escape(bdf)} )?'
               rf'.*Event logged \[IO_PAGE_FAULT.* address={addr} ')
    elif iommu == 'virtio':
        pat = rf'fault from EP {rid} at {addr} '
    elif iommu == 'smmuv3':
        for event_id, words, line in smmu_events(log):
            if (event_id == 0x10 and words[0] >> 32 == rid and
                    words[2] == iova):
                return line.strip()
        return None
    else:
        return None
    for line in log.splitlines():
        if re.search(pat, line) and (iommu != 'amd' or bdf in line):
            return line.strip()
    return None


def kunit_wants(scn):
    """[(suite, 'pass'|'skip')] from "kunit = SUITE:WANT [SUITE:WANT...]"."""
    return [tuple(w.partition(':')[::2]) for w in scn.get('kunit', '').split()]


def kunit_glob(scn):
    """kunit.filter_glob for the scenario's suites: "kunit-glob" if the
    scenario sets it, else their common prefix, then the set of characters
    that follow it in each, so that other suites of the same prefix stay
    out ("iommu-hw-[pr]*").  Either way a suite that runs and is not listed
    fails the scenario."""
    if scn.get('kunit-glob'):
        return scn['kunit-glob']
    suites = [suite for suite, _ in kunit_wants(scn)]
    if not suites:
        return 'none'
    if len(suites) == 1:
        return suites[0]
    prefix = os.path.commonprefix(suites)
    nexts = sorted({s[len(prefix)] for s in suites if len(s) > len(prefix)})
    return prefix + (f'[{"".join(nexts)}]' if nexts else '') + '*'


def judge_kunit(scn, log):
    """Yields (check, passed, detail) for the scenario's KUnit suites, as
    the kernel's KTAP parser reads the console: each listed suite must have
    run once with the wanted result, and no other suite may have run."""
    wants = kunit_wants(scn)
    if not wants:
        return
    result = ktap.parse(log)
    for suite, want in wants:
        runs = result.suites.pop(suite, [])
        got = ktap.outcome(runs)
        reasons = [result.skips.get(case.name) for run in runs
                   for case in [run, *ktap.cases(run)]]
        reason = next((r for r in reasons if r), None)
        yield (f'kunit-{suite}', got == want, f'want={want} got={got}' +
               (f' ({reason})' if reason else ''))
    for suite in result.suites:
        yield (f'kunit-{suite or "plan"}', False,
               f'ran, not in "kunit =" (glob {kunit_glob(scn)})' if suite else
               'suites of the plan never printed: '
               + '; '.join(sorted(set(result.errors))))


def judge(scn, log, status):
    """Yields (check, passed, detail) for everything the scenario expects."""
    yield from judge_kunit(scn, log)
    results = {}
    for m in re.finditer(r'^RESULT (\S+) (PASS|FAIL)(.*)$', log, re.M):
        check = m.group(1)
        prior = results.get(check, (True, ''))
        results[check] = (prior[0] and m.group(2) == 'PASS',
                          m.group(3).strip())
    for check in scn['expect'].split():
        if check == 'iommu-fault':
            continue
        passed, detail = results.pop(check, (False, 'not reported'))
        yield check, passed, detail
    for check, (passed, detail) in results.items():
        if not passed:
            yield check, False, 'unexpected failure: ' + detail
    if 'iommu-fault' in scn['expect'].split():
        faults = re.findall(r'^INFO fault-expected dev=(\S+) iova=0x([0-9a-f]+)',
                            log, re.M)
        if not faults:
            yield 'iommu-fault', False, 'guest expected no fault'
        for bdf, iova in faults:
            line = find_fault(scn['iommu'], log, bdf, int(iova, 16))
            yield ('iommu-fault', line is not None,
                   line or f'no report for {bdf} at 0x{iova}')
    for key in sorted(k for k in scn if k.startswith('console-')):
        line = next((l for l in log.splitlines() if re.search(scn[key], l)),
                    None)
        yield (key, line is not None,
               line.strip() if line is not None
               else f'no line matches {scn[key]}')
    done = re.search(r'^DONE ', log, re.M) is not None
    detail = f'exit={status} guest-done={done}'
    if status == 'timeout':
        where = re.findall(rf'^{TIMEOUT_MARK}(.*)$', log, re.M)
        detail += f' last="{last_console_line(log)}"'
        detail += ''.join(f' {w}' for w in where)
    yield 'boot', done and status == 0, detail
    expected = expected_warnings(scn)
    lines, seen = drop_expected(log.splitlines(), expected)
    problems = [l.strip() for l in lines if LOG_PROBLEMS.search(l)]
    problems += [f'{fn} warned {seen.get(fn, 0)} times, not once'
                 for fn in sorted(expected) if seen.get(fn, 0) != 1]
    yield ('clean-log', not problems,
           '; '.join(problems[:3]) if problems else
           'no kernel complaint' + (f', {len(seen)} expected warnings'
                                    if seen else ''))


def expected_warnings(scn):
    """The functions that the KUnit suites the scenario runs ("kunit =")
    make warn on purpose, from tests/kunit/expected-warnings.txt: each must
    warn once, as in the KUnit stage."""
    suites = {s.split(':')[0] for s in scn.get('kunit', '').split()}
    path = os.path.join(ROOT, 'tests', 'kunit', 'expected-warnings.txt')
    try:
        with open(path) as f:
            entries = [l.split()[:2] for l in f
                       if l.strip() and not l.startswith('#')]
    except OSError:
        return set()
    return {fn for fn, where in entries if where.split('/')[0] in suites}


def drop_expected(lines, expected):
    """kunit_suites.drop_expected(), which imports this module."""
    import kunit_suites  # pylint: disable=import-outside-toplevel
    return kunit_suites.drop_expected(lines, expected)


def report(scn, log):
    """The human summary `make run` prints."""
    print(f'== {scn["name"]}: {scn.get("description", "")}')
    for m in re.finditer(r'^INFO iommu name=(\S+)', log, re.M):
        print(f'  IOMMU found:      {m.group(1)}')
    for m in re.finditer(r'^INFO group id=(\d+) dev=(\S+) type=(\S+) '
                         r'driver=(\S+)', log, re.M):
        print(f'  group {m.group(1):>3}:        {m.group(2)} '
              f'default domain {m.group(3)} (driver {m.group(4)})')
    for m in re.finditer(r'^RESULT ((?:vfio|group|disk)\S*) (PASS|FAIL)(.*)$',
                         log, re.M):
        print(f'  {m.group(1) + ":":<30}{m.group(2)}{m.group(3)}')
    for bdf, iova in re.findall(r'^INFO fault-expected dev=(\S+) '
                                r'iova=0x([0-9a-f]+)', log, re.M):
        line = find_fault(scn['iommu'], log, bdf, int(iova, 16))
        print(f'  fault at 0x{iova} by {bdf}: {line or "not reported"}')


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('scenario')
    ap.add_argument('--kbuild', required=True, help='kernel build dir (O=)')
    ap.add_argument('--initrd', required=True)
    ap.add_argument('--build', default=os.path.join(ROOT, 'build'))
    ap.add_argument('--logdir', default=None)
    ap.add_argument('--report', action='store_true')
    args = ap.parse_args()

    scn = parse_scenario(args.scenario)
    logdir = args.logdir or os.path.join(args.build, 'logs')
    os.makedirs(logdir, exist_ok=True)
    log_path = os.path.join(logdir, scn['name'] + '.log')
    qemu, env = qemu_binary(scn, args.build)
    if qemu is None:
        print(f'FAIL {scn["name"]}/qemu QEMU {scn["qemu-version"]} not '
              f'available (scripts/qemu10.sh: build/logs/qemu10.log)')
        sys.exit(1)
    cmd = qemu_command(scn, args.kbuild, args.initrd, disk_image(args.build),
                       qemu)
    log, status, secs = run_qemu(cmd, log_path,
                                 int(scn.get('timeout', '300')), env,
                                 os.path.join(args.kbuild, 'System.map'))
    if args.report:
        report(scn, log)
    failed = 0
    for check, passed, detail in judge(scn, log, status):
        failed += not passed
        print(f'{"PASS" if passed else "FAIL"} {scn["name"]}/{check} '
              f'{detail}')
    print(f'# {scn["name"]}: {secs:.0f}s, log {os.path.relpath(log_path)}')
    sys.exit(min(failed, 100))


if __name__ == '__main__':
    main()
