// The web chat: a person talks to the bot through the sandbox's user side (/sandbox/…),
// and sees what a Telegram client would show. Plain browser JavaScript, no build.

/** Telegram clients send at most 10 files as one album. */
const ALBUM_LIMIT = 10;
/** How long a pressed button waits for the bot's answerCallbackQuery (Telegram: about 15 s). */
const CALLBACK_WINDOW_MS = 15_000;
const TOAST_MS = 3_000;

/** The client's own words, in the chosen language (the bot's words come from the bot). */
const LABELS = {
  ru: { placeholder: 'Сообщение или /start', send: 'Отправить', menu: '☰ Меню', edited: 'изменено', photo: 'Фото', file: 'Файл', voice: 'Голосовое сообщение', audio: 'Аудио', videoNote: 'Видеосообщение', invoice: 'Счёт', deleted: 'Удалённое сообщение' },
  en: { placeholder: 'Message or /start', send: 'Send', menu: '☰ Menu', edited: 'edited', photo: 'Photo', file: 'File', voice: 'Voice message', audio: 'Audio', videoNote: 'Video message', invoice: 'Invoice', deleted: 'Deleted message' },
};

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const userInput = $('user');
const langInput = $('lang');
userInput.value = params.get('user') || localStorage.getItem('aisha-user') || '1';
langInput.value = params.get('lang') || localStorage.getItem('aisha-lang') || 'ru';
const log = $('log');

const userId = () => Number(userInput.value) || 1;
const lang = () => langInput.value;
const t = () => LABELS[lang()] ?? LABELS.en;
const profile = () => ({ language_code: lang(), first_name: lang() === 'en' ? 'Guest' : 'Гость' });
const file = (id) => `/sandbox/files/${encodeURIComponent(id)}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The last answer of GET /sandbox/chats/:id/messages: {version, messages, commands}. */
let chat = { version: -1, messages: [], commands: [] };
/** The chat's messages by id, deleted ones left out (what a quote can jump to). */
let byId = new Map();
/** Pressed buttons still waiting for the bot's answer, as `${message_id}:${data}`. */
const pending = new Set();
let drawn = '';
let pinned = true;

function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null) continue;
    if (k === 'text') node.textContent = v; else if (k.startsWith('on')) node[k] = v; else node.setAttribute(k, v);
  }
  for (const c of children) if (c) node.append(c);
  return node;
}

async function post(path, body, raw) {
  const res = await fetch(`/sandbox/users/${userId()}/${path}`, {
    method: 'POST',
    headers: raw ? { 'content-type': 'application/octet-stream' } : { 'content-type': 'application/json' },
    body: raw ? body : JSON.stringify(body),
  });
  if (!res.ok) alert(`sandbox: ${res.status} ${await res.text()}`);
  void refresh();
  return res;
}

// ── Callback answers ────────────────────────────────────────────────────────

let toastTimer;
function showToast(text) {
  const toast = $('toast');
  toast.textContent = text;
  toast.classList.add('show');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => toast.classList.remove('show'), TOAST_MS);
}

function showAlert(text) {
  $('alert-text').textContent = text;
  if (!$('alert').open) $('alert').showModal();
}

/** Presses an inline button: the button spins until the bot answers; the answer's text is a toast or an alert. */
async function press(m, data) {
  const key = `${m.message_id}:${data}`;
  if (pending.has(key)) return;
  pending.add(key);
  draw(true);
  try {
    const res = await post('callbacks', { message_id: m.message_id, data });
    if (!res.ok) return;
    const queryId = (await res.json()).callback_query.id;
    const deadline = Date.now() + CALLBACK_WINDOW_MS;
    while (Date.now() < deadline) {
      const answer = await (await fetch(`/sandbox/callbacks/${encodeURIComponent(queryId)}`)).json();
      if (answer.answered) {
        if (answer.text) (answer.show_alert ? showAlert : showToast)(answer.text);
        return;
      }
      await sleep(150);
    }
  } finally {
    pending.delete(key);
    draw(true);
  }
}

// ── Messages ────────────────────────────────────────────────────────────────

function keyboard(m) {
  const rows = m?.reply_markup?.inline_keyboard;
  if (!rows?.length) return null;
  return el('div', { class: 'kb' }, rows.map((row) => el('div', { class: 'row' }, row.map((b) =>
    b.url ? el('a', { href: b.url, target: '_blank', text: b.text })
          : el('button', { type: 'button', text: b.text, 'data-callback': b.callback_data ?? '',
              class: pending.has(`${m.message_id}:${b.callback_data}`) ? 'pending' : null,
              onclick: () => press(m, b.callback_data) })))));
}

/** What a quote shows of a message: its first line, or what it is. */
function summary(m) {
  const text = m.text ?? m.caption;
  if (text) return text.split('\n')[0];
  if (m.photo) return t().photo;
  if (m.document) return m.document.file_name || t().file;
  if (m.voice) return t().voice;
  if (m.audio) return m.audio.title || m.audio.file_name || t().audio;
  if (m.video_note) return t().videoNote;
  if (m.invoice) return `${t().invoice}: ${m.invoice.title}`;
  return '';
}

/** Scrolls to a message (a quote's original) and lights it up for a moment. */
function jump(messageId) {
  const target = log.querySelector(`[data-message-id="${messageId}"]`);
  if (!target) return;
  target.scrollIntoView({ block: 'center' });
  target.classList.add('flash');
  setTimeout(() => target.classList.remove('flash'), 1500);
}

/** A reply's quote: the original as it is now (edited, or deleted), the quoted part if the bot chose one. */
function quote(m) {
  const replied = m.reply_to_message;
  if (!replied) return null;
  const original = byId.get(replied.message_id);
  const author = replied.from?.first_name ?? '';
  const line = original ? (m.quote?.text ?? summary(original)) : t().deleted;
  const thumb = original?.photo ? el('img', { src: file(original.photo[0].file_id), alt: '' }) : null;
  return el('div', { class: original ? 'quote' : 'quote deleted', 'data-reply-to': replied.message_id, onclick: () => jump(replied.message_id) },
    [thumb, el('div', {}, [el('div', { class: 'author', text: author }), el('div', { class: 'line', text: line })])]);
}

/** Keeps the chat pinned to the bottom when an image arrives after the messages were laid out. */
const keepPinned = () => { if (pinned) log.scrollTop = log.scrollHeight; };

function media(m) {
  const parts = [];
  if (m.photo) {
    const biggest = m.photo[m.photo.length - 1];
    parts.push(el('img', { src: file(biggest.file_id), alt: 'photo', width: biggest.width, height: biggest.height, onload: keepPinned }));
  }
  if (m.voice || m.audio) parts.push(el('audio', { controls: '', src: file((m.voice || m.audio).file_id) }));
  if (m.video_note) parts.push(el('video', { controls: '', width: 200, src: file(m.video_note.file_id) }));
  if (m.document) parts.push(el('a', { class: 'doc', href: file(m.document.file_id), download: m.document.file_name || 'file', text: `📄 ${m.document.file_name || 'document'}` }));
  if (m.invoice) {
    parts.push(el('div', { class: 'invoice' }, [el('b', { text: m.invoice.title }), el('div', { text: m.invoice.description }),
      el('button', { type: 'button', class: 'pay', text: `Pay ⭐ ${m.invoice.total_amount}`, onclick: () => post('payments', { message_id: m.message_id }) })]));
  }
  if (m.successful_payment) parts.push(el('div', { text: `✅ Paid ⭐ ${m.successful_payment.total_amount}` }));
  return parts;
}

/** How many of an album grid's six columns each item spans: rows of 3, 2 or 1 like Telegram's layouts. */
function albumSpans(n) {
  if (n === 2 || n === 4) return Array(n).fill(3);
  if (n === 3) return [6, 3, 3];
  const spans = Array(n).fill(2);
  if (n % 3 === 2) spans.splice(n - 2, 2, 3, 3);
  if (n % 3 === 1) spans.splice(n - 4, 4, 3, 3, 3, 3);
  return spans;
}

/** An album's items as one grid; documents and audio in an album stay a list. */
function album(items) {
  const spans = albumSpans(items.length);
  const photos = items.every((m) => m.photo);
  if (!photos) return items.flatMap(media);
  return [el('div', { class: 'album' }, items.map((m, i) => {
    const biggest = m.photo[m.photo.length - 1];
    return el('img', { src: file(biggest.file_id), alt: 'photo', class: `span-${spans[i]}`, style: `grid-column: span ${spans[i]}`, 'data-message-id': m.message_id, onload: keepPinned });
  }))];
}

/** Consecutive messages sharing a media_group_id are one album (one bubble), as Telegram shows them. */
function bubbles(messages) {
  const groups = [];
  for (const m of messages) {
    const last = groups[groups.length - 1];
    if (m.media_group_id && last && last[0].media_group_id === m.media_group_id && last[0].from_bot === m.from_bot) last.push(m);
    else groups.push([m]);
  }
  return groups;
}

function bubble(items) {
  const m = items[0];
  const time = new Date(m.date * 1000).toLocaleTimeString(lang(), { hour: '2-digit', minute: '2-digit' });
  const cls = (m.system ? 'msg system' : m.from_bot ? 'msg bot' : 'msg me') + (items.some((i) => i.photo) ? ' has-photo' : '');
  // An album shows the caption of the item that has one (an album has no keyboard in Telegram).
  const text = items.length > 1 ? items.map((i) => i.caption).filter(Boolean).join('\n') : m.text ?? m.caption;
  const edited = items.some((i) => i.edit_date);
  return el('div', { class: cls, 'data-message-id': m.message_id, 'data-media-group-id': m.media_group_id }, [
    quote(m),
    ...(items.length > 1 ? album(items) : media(m)),
    text ? el('div', { class: 'text', text }) : null,
    items.length > 1 ? null : keyboard(m),
    m.system ? null : el('div', { class: 'meta', text: `${edited ? `${t().edited} ` : ''}${time}` }),
  ]);
}

/** Draws the chat when something changed (or `force`: a button's pending state). */
function draw(force = false) {
  const key = `${userId()}:${lang()}:${chat.version}`;
  if (!force && key === drawn) return;
  drawn = key;
  const visible = chat.messages.filter((m) => !m.deleted);
  byId = new Map(visible.map((m) => [m.message_id, m]));
  const atBottom = pinned;
  log.replaceChildren(...bubbles(visible).map(bubble));
  if (atBottom) { log.scrollTop = log.scrollHeight; pinned = true; }
  drawChrome();
}

async function refresh() {
  try {
    const res = await fetch(`/sandbox/chats/${userId()}/messages?language_code=${encodeURIComponent(lang())}`);
    chat = await res.json();
    draw();
  } catch { /* the sandbox restarts: keep polling */ }
}

// ── Composer: the command menu, text, files ────────────────────────────────

/** The labels in the chosen language and the menu button (shown when the bot set commands, as in Telegram). */
function drawChrome() {
  $('text').placeholder = t().placeholder;
  $('send').textContent = t().send;
  $('menu').textContent = t().menu;
  $('menu').hidden = chat.commands.length === 0;
  const menu = $('commands');
  menu.replaceChildren(...chat.commands.map((c) => el('button', { type: 'button', role: 'menuitem', onclick: () => sendCommand(c.command) },
    [el('span', { class: 'command', text: `/${c.command}` }), el('span', { class: 'description', text: c.description })])));
}

function sendCommand(command) {
  $('commands').hidden = true;
  void post('messages', { text: `/${command}`, ...profile() });
}

$('menu').onclick = (e) => {
  e.stopPropagation();
  $('commands').hidden = !$('commands').hidden;
};
document.addEventListener('click', (e) => { if (!$('commands').contains(e.target)) $('commands').hidden = true; });
document.addEventListener('keydown', (e) => { if (e.key === 'Escape') $('commands').hidden = true; });

$('composer').onsubmit = async (e) => {
  e.preventDefault();
  const input = $('text');
  const text = input.value.trim();
  if (!text) return;
  input.value = '';
  fitText();
  await post('messages', { text, ...profile() });
};

/** As in Telegram: Enter sends, Shift+Enter starts a new line; the box grows with its text. */
const fitText = () => { $('text').style.height = 'auto'; $('text').style.height = `${$('text').scrollHeight + 2}px`; };
$('text').addEventListener('input', fitText);
$('text').addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); $('composer').requestSubmit(); }
});

function kindOf(f) {
  const name = f.name.toLowerCase();
  return f.type.startsWith('image/') ? 'photo'
    : /\.(ogg|oga|opus)$/.test(name) ? 'voice'
    : f.type.startsWith('audio/') ? 'audio'
    : f.type.startsWith('video/') ? 'video_note' : 'document';
}

/** A numeric media_group_id, like Telegram's. */
const newGroupId = () => `${Date.now()}${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;

/**
 * Attached files go as Telegram sends them: images together as albums of up to 10
 * (one image alone is a plain photo), other files one by one; text typed in the box
 * becomes the first file's caption.
 */
$('attach').onchange = async (e) => {
  const files = [...e.target.files];
  e.target.value = '';
  let caption = $('text').value.trim();
  $('text').value = '';
  fitText();
  const send = async (f, kind, group) => {
    const q = new URLSearchParams({ kind, name: f.name, caption, group, ...profile() });
    caption = '';
    return post(`media?${q}`, await f.arrayBuffer(), true);
  };
  const images = files.filter((f) => kindOf(f) === 'photo');
  for (let i = 0; i < images.length; i += ALBUM_LIMIT) {
    const chunk = images.slice(i, i + ALBUM_LIMIT);
    const group = chunk.length > 1 ? newGroupId() : '';
    for (const f of chunk) if (!(await send(f, 'photo', group)).ok) return;
  }
  for (const f of files.filter((f) => kindOf(f) !== 'photo')) if (!(await send(f, kindOf(f), '')).ok) return;
};

log.addEventListener('scroll', () => { pinned = log.scrollHeight - log.scrollTop - log.clientHeight < 40; });
userInput.onchange = () => { localStorage.setItem('aisha-user', userInput.value); void refresh(); };
langInput.onchange = () => { localStorage.setItem('aisha-lang', langInput.value); void refresh(); };

drawChrome();
void refresh();
setInterval(refresh, 600);
