import { describe, expect, it } from 'vitest';
import { createI18n, pickLanguage } from '../../lib/i18n';

describe('lib/i18n', () => {
  const i18n = createI18n();

  it('every locale key exists in both Russian and English', () => {
    const ru = i18n.keys('ru').sort();
    const en = i18n.keys('en').sort();
    expect(ru.length).toBeGreaterThan(10);
    expect(en).toEqual(ru);
  });

  it('Russian is the default; English for en users', () => {
    expect(pickLanguage(undefined)).toBe('ru');
    expect(pickLanguage('de')).toBe('ru');
    expect(pickLanguage('en-US')).toBe('en');
    expect(pickLanguage('EN')).toBe('en');
  });

  it('Russian plurals agree with the number', () => {
    expect(i18n.t('ru', 'balance-title', { balance: 1 })).toBe('💰 Баланс: 1 кредит');
    expect(i18n.t('ru', 'balance-title', { balance: 3 })).toBe('💰 Баланс: 3 кредита');
    expect(i18n.t('ru', 'balance-title', { balance: 20 })).toBe('💰 Баланс: 20 кредитов');
    expect(i18n.t('en', 'balance-title', { balance: 1 })).toBe('💰 Balance: 1 credit');
    // CREDITS($n) in running text
    expect(i18n.t('ru', 'tr-done', { price: 1 })).toBe('✅ Расшифровка готова. Списано 1 кредит.');
    expect(i18n.t('ru', 'tr-done', { price: 2 })).toBe('✅ Расшифровка готова. Списано 2 кредита.');
    expect(i18n.t('ru', 'tr-done', { price: 11 })).toBe('✅ Расшифровка готова. Списано 11 кредитов.');
    expect(i18n.t('ru', 'tr-done', { price: 21 })).toBe('✅ Расшифровка готова. Списано 21 кредит.');
    expect(i18n.t('en', 'tr-done', { price: 1 })).toBe('✅ Transcript ready. Charged: 1 credit.');
  });
});
