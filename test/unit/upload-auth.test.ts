import { describe, expect, it } from 'vitest';
import { signInitDataFields } from '../helpers/init-data';
import { signUploadLink, uploaderFromAuthorization, uploaderFromInitData, uploaderFromLink } from '../../lib/upload-auth';

const TOKEN = '7000000001:AAsandbox-test-token-0123456789abcdef';

const initData = (fields: Record<string, string>, token = TOKEN) => signInitDataFields(fields, token);
const now = () => String(Math.floor(Date.now() / 1000));

describe('who uploads (lib/upload-auth.ts)', () => {
  it('initData signed by Telegram\'s rule for this bot names its user; forged, other bots\', stale or user-less data names nobody', () => {
    const user = JSON.stringify({ id: 4242, first_name: 'Лена', language_code: 'ru' });
    expect(uploaderFromInitData(initData({ auth_date: now(), user }), TOKEN)).toEqual({ telegramId: 4242 });
    expect(uploaderFromInitData(initData({ auth_date: now(), user }, '7000000002:another-bot'), TOKEN)).toBeNull();
    expect(uploaderFromInitData(initData({ auth_date: now(), user }).replace('4242', '4243'), TOKEN)).toBeNull();
    expect(uploaderFromInitData(initData({ auth_date: String(Math.floor(Date.now() / 1000) - 25 * 3600), user }), TOKEN)).toBeNull();
    expect(uploaderFromInitData(initData({ auth_date: now() }), TOKEN)).toBeNull();
    expect(uploaderFromInitData('garbage', TOKEN)).toBeNull();
  });

  it('a link names its user until it expires; a changed character or another bot\'s key makes it nobody\'s', () => {
    const link = signUploadLink(4242, TOKEN);
    expect(uploaderFromLink(link, TOKEN)).toMatchObject({ telegramId: 4242, linkNonce: expect.stringMatching(/^[\w-]{16}$/) });
    expect(uploaderFromLink(link, '7000000002:another-bot')).toBeNull();
    expect(uploaderFromLink(link.replace(/^4242/, '4243'), TOKEN)).toBeNull();
    expect(uploaderFromLink(link, TOKEN, Date.now() + 25 * 3600 * 1000)).toBeNull();
    expect(uploaderFromLink(`${link}x`, TOKEN)).toBeNull();
    // a link is never valid as initData, nor initData as a link
    expect(uploaderFromAuthorization(`tma ${link}`, TOKEN)).toBeNull();
    expect(uploaderFromAuthorization(`link ${initData({ auth_date: now(), user: '{"id":1}' })}`, TOKEN)).toBeNull();
    expect(uploaderFromAuthorization(`link ${link}`, TOKEN)).toMatchObject({ telegramId: 4242 });
    expect(uploaderFromAuthorization(null, TOKEN)).toBeNull();
  });
});
