/**
 * A tiny Russian→English word list, enough for prompts like «девушка в красном
 * платье на берегу моря». Unknown words are kept as they are.
 */
const RU_EN: Record<string, string> = {
  девушк: 'girl', женщин: 'woman', мужчин: 'man', парен: 'guy', человек: 'person', люд: 'people', ребен: 'child', дет: 'children',
  мальчик: 'boy', бабушк: 'grandmother', дедушк: 'grandfather', портрет: 'portrait', фото: 'photo', фотографи: 'photograph', лиц: 'face',
  глаз: 'eyes', волос: 'hair', улыбк: 'smile', улыба: 'smiling', плать: 'dress', костюм: 'suit', шляп: 'hat', очк: 'glasses',
  кот: 'cat', кошк: 'cat', котенок: 'kitten', собак: 'dog', щенок: 'puppy', лошад: 'horse', птиц: 'bird', рыб: 'fish', дракон: 'dragon',
  мор: 'sea', океан: 'ocean', берег: 'shore', пляж: 'beach', гор: 'mountains', лес: 'forest', дерев: 'tree', цвет: 'flowers',
  небо: 'sky', неб: 'sky', солнц: 'sun', лун: 'moon', звезд: 'stars', облак: 'clouds', дожд: 'rain', снег: 'snow', вод: 'water', озер: 'lake',
  рек: 'river', город: 'city', улиц: 'street', дом: 'house', замок: 'castle', машин: 'car', кафе: 'cafe', парк: 'park', ночь: 'night',
  ночн: 'night', утр: 'morning', вечер: 'evening', закат: 'sunset', рассвет: 'dawn', зим: 'winter', лет: 'summer', осен: 'autumn', весн: 'spring',
  красн: 'red', син: 'blue', зелен: 'green', желт: 'yellow', черн: 'black', бел: 'white', розов: 'pink', золот: 'golden', серебрян: 'silver',
  красив: 'beautiful', молод: 'young', стар: 'old', больш: 'big', маленьк: 'small', счастлив: 'happy', грустн: 'sad', длинн: 'long',
  рыж: 'red-haired', светл: 'light', темн: 'dark', ярк: 'bright', стоит: 'standing', сидит: 'sitting', идет: 'walking', бежит: 'running',
  гуля: 'walking', танцу: 'dancing', летит: 'flying', плава: 'swimming', спит: 'sleeping', игра: 'playing', смеет: 'laughing', смотрит: 'looking', держит: 'holding', пьет: 'drinking', читает: 'reading', кофе: 'coffee', книг: 'book', космос: 'space', космонавт: 'astronaut',
  в: 'in', во: 'in', на: 'on', с: 'with', со: 'with', и: 'and', под: 'under', над: 'above', у: 'by', около: 'near', возле: 'near',
  по: 'through', к: 'to', для: 'for', без: 'without', очень: 'very', из: 'from', за: 'behind', перед: 'in front of', стиле: 'style', стил: 'style',
};
const ENDINGS = ['ями', 'ами', 'ого', 'его', 'ому', 'ему', 'ыми', 'ими', 'ая', 'яя', 'ое', 'ее', 'ые', 'ие', 'ый', 'ий', 'ой', 'ую', 'юю', 'ом', 'ем', 'ах', 'ях', 'ов', 'ев', 'ей', 'а', 'я', 'ы', 'и', 'у', 'ю', 'е', 'о', 'ь'];

export function translateWord(word: string): string | undefined {
  const w = word.toLowerCase().replace(/ё/g, 'е');
  if (RU_EN[w]) return RU_EN[w];
  for (const end of ENDINGS) {
    if (w.length - end.length >= 2 && w.endsWith(end) && RU_EN[w.slice(0, -end.length)]) return RU_EN[w.slice(0, -end.length)];
  }
  for (let len = w.length - 1; len >= 4 && w.length - len <= 3; len--) if (RU_EN[w.slice(0, len)]) return RU_EN[w.slice(0, len)];
  return undefined;
}

export function detectLanguage(text: string): 'ru' | 'he' | 'ar' | 'en' {
  if (/[\u0400-\u04FF]/.test(text)) return 'ru';
  if (/[\u0590-\u05FF]/.test(text)) return 'he';
  if (/[\u0600-\u06FF]/.test(text)) return 'ar';
  return 'en';
}

/** Words of `text` in English where the list knows them; emoji and punctuation dropped. */
export function toEnglishWords(text: string): string[] {
  const out: string[] = [];
  for (const token of text.match(/[\p{L}\p{N}'-]+/gu) ?? []) {
    out.push(/[\u0400-\u04FF]/.test(token) ? (translateWord(token) ?? token) : token);
  }
  return out;
}

/**
 * A LoRA trigger phrase mentioned anywhere in the request: "trigger phrase: X",
 * "trigger word is 'X'", or a token shaped like `TOK_abc` / `ohwx_person`.
 */
export function findTrigger(text: string): string | undefined {
  for (const m of text.matchAll(/trigger(?:[ _-]?(?:phrase|word|token))?/gi)) {
    const rest = text.slice(m.index + m[0].length);
    const quoted = /^\s*(?:is\s*)?[:=]?\s*(?:"([^"\n]+)"|'([^'\n]+)'|«([^»\n]+)»|`([^`\n]+)`)/.exec(rest);
    const phrase = quoted?.slice(1).find((g) => g !== undefined) ?? /^\s*[:=]\s*([^\n,.;]+)/.exec(rest)?.[1] ?? /^\s*(?:is\s+)?([A-Za-z][\w-]*[_\d][\w-]*)/.exec(rest)?.[1];
    if (phrase?.trim()) return phrase.trim();
  }
  return /\b(?:TOK|tok|ohwx|sks)_?[A-Za-z0-9_]*\b/.exec(text)?.[0];
}
