import { callbacks } from './callback-data';

/**
 * The main menu under the greeting of /start (sent by the onboarding
 * workflow) and under /help (sent by the bot): one definition for both.
 * Pure, so workflows can import it; labels are locale keys `main-menu-<item>`,
 * rendered in the user's language where the message is sent.
 */
export const MAIN_MENU_ITEMS = ['avatars', 'create', 'transcribe', 'gallery', 'balance'] as const;
export type MainMenuItem = (typeof MAIN_MENU_ITEMS)[number];

const LAYOUT: MainMenuItem[][] = [
  ['avatars', 'create'],
  ['transcribe', 'gallery'],
  ['balance'],
];

/** A button as activities/telegram.ts takes it: a locale key and callback data. */
export interface MainMenuButton {
  label: { key: string };
  data: string;
}

export function mainMenuButtons(): MainMenuButton[][] {
  return LAYOUT.map((row) => row.map((item) => ({ label: { key: `main-menu-${item}` }, data: callbacks.menu.pack({ to: item }) })));
}

/** The destination a menu button names (null: not one of ours). */
export function mainMenuItem(data: string | undefined): MainMenuItem | null {
  const to = callbacks.menu.unpack(data)?.to;
  return MAIN_MENU_ITEMS.find((item) => item === to) ?? null;
}
