import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NGINX_BINARY, NGINX_TEMPLATE, renderTemplate } from '../../sandbox/nginx';

const VARIABLES = {
  AISHA_NGINX_PUBLIC_PORT: '80',
  AISHA_NGINX_INTERNAL_LISTEN: '127.0.0.1:8091',
  AISHA_BOT1: 'bot1:8080',
  AISHA_BOT2: 'bot2:8080',
  AISHA_WORKER1_METRICS: 'worker1:9464',
  AISHA_WORKER2_METRICS: 'worker2:9464',
  AISHA_NGINX_ACCESS_LOG: '/var/log/nginx/aisha-access.log',
};

/** deploy/nginx/aisha.conf.template as the nginx image renders it (envsubst of the defined variables only). */
describe('the nginx template', () => {
  const template = readFileSync(NGINX_TEMPLATE, 'utf8');

  it('uses exactly the documented AISHA_* variables and leaves nginx\'s own $variables alone', () => {
    const used = new Set([...template.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]));
    expect([...used].toSorted()).toEqual(Object.keys(VARIABLES).toSorted());
    for (const name of used) expect(template.split('\n').filter((l) => l.startsWith('#')).join('\n'), `${name} documented in the header`).toContain(name);
    const rendered = renderTemplate(template, VARIABLES);
    expect(rendered).not.toMatch(/\$\{/);
    expect(rendered).toContain('$proxy_add_x_forwarded_for');
    expect(rendered).toContain('server bot1:8080 max_fails=1');
  });

  it('is a valid nginx configuration (nginx -t)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aisha-nginx-t-'));
    try {
      const vars = { ...VARIABLES, AISHA_NGINX_PUBLIC_PORT: '127.0.0.1:1', AISHA_BOT1: '127.0.0.1:2', AISHA_BOT2: '127.0.0.1:3', AISHA_WORKER1_METRICS: '127.0.0.1:4', AISHA_WORKER2_METRICS: '127.0.0.1:5', AISHA_NGINX_ACCESS_LOG: join(dir, 'access.log') };
      writeFileSync(join(dir, 'aisha.conf'), renderTemplate(template, vars));
      writeFileSync(join(dir, 'nginx.conf'), `pid ${dir}/nginx.pid; error_log ${dir}/error.log; events {} http { client_body_temp_path ${dir}/b; proxy_temp_path ${dir}/p; fastcgi_temp_path ${dir}/f; uwsgi_temp_path ${dir}/u; scgi_temp_path ${dir}/s; include ${dir}/aisha.conf; }\n`);
      expect(() => execFileSync(NGINX_BINARY, ['-t', '-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], { stdio: 'pipe' })).not.toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
