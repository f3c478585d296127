/**
 * The upload page (`GET /miniapp/upload`): one file input, a progress bar and
 * tus-js-client (served beside it). Inside Telegram it is a Mini App and signs
 * its requests with the `initData` Telegram puts in the URL's hash
 * (`#tgWebAppData=…`, or `Telegram.WebApp.initData` when Telegram's script is
 * present); outside, the one-time link's `?t=` does. A dropped connection
 * retries and resumes from the server's offset; a page reopened on the same
 * device offers to resume the same file (tus fingerprints in localStorage).
 */
const TEXTS = {
  ru: {
    title: 'Загрузка записи',
    intro: 'Выберите аудио или видео до {max} — расшифровка придёт в чат с ботом.',
    choose: 'Выбрать файл',
    progress: 'Загружено {pct}% · {sent} из {total} МБ',
    resumed: 'Продолжаю загрузку с {pct}%',
    retrying: 'Связь прервалась — продолжаю…',
    failed: 'Не удалось загрузить: {error}. Нажмите «Продолжить».',
    retry: 'Продолжить',
    done: '✅ Файл загружен. Вернитесь в чат: там будет цена и расшифровка.',
    tooBig: 'Файл больше {max}.',
    noAuth: 'Откройте эту страницу кнопкой в боте.',
  },
  en: {
    title: 'Upload a recording',
    intro: 'Choose an audio or video file up to {max} — the transcript comes to your chat with the bot.',
    choose: 'Choose a file',
    progress: 'Uploaded {pct}% · {sent} of {total} MB',
    resumed: 'Resuming the upload from {pct}%',
    retrying: 'The connection dropped — resuming…',
    failed: 'The upload failed: {error}. Press “Resume”.',
    retry: 'Resume',
    done: '✅ Uploaded. Back in the chat you will see the price and then the transcript.',
    tooBig: 'The file is larger than {max}.',
    noAuth: 'Open this page with the button in the bot.',
  },
};

export function uploadPage(maxUploadMb: number, chunkBytes: number): string {
  const max = maxUploadMb >= 1024 ? `${+(maxUploadMb / 1024).toFixed(1)} GB` : `${maxUploadMb} MB`;
  const config = JSON.stringify({ texts: TEXTS, max, maxBytes: maxUploadMb * 1024 * 1024, chunkBytes }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Aisha</title>
<style>
body{font-family:system-ui,sans-serif;margin:0;padding:20px;background:var(--tg-theme-bg-color,#fff);color:var(--tg-theme-text-color,#222)}
h1{font-size:20px}progress{width:100%;height:18px}#status{margin:12px 0;min-height:1.4em}
label.button,button{display:inline-block;padding:10px 16px;border-radius:8px;border:0;background:var(--tg-theme-button-color,#2481cc);color:var(--tg-theme-button-text-color,#fff);font-size:16px;cursor:pointer}
input[type=file]{display:none}[hidden]{display:none!important}
</style>
<script src="tus.js"></script>
</head><body>
<h1 id="title"></h1><p id="intro"></p>
<label class="button" id="choose"><input type="file" id="file" accept="audio/*,video/*"><span></span></label>
<p id="status" role="status"></p><progress id="bar" max="1" value="0" hidden></progress>
<p><button id="retry" hidden></button></p>
<script>
(function () {
  var cfg = ${config};
  var hash = new URLSearchParams(location.hash.slice(1));
  var tg = window.Telegram && window.Telegram.WebApp;
  var initData = (tg && tg.initData) || hash.get('tgWebAppData') || '';
  var link = new URLSearchParams(location.search).get('t') || '';
  var lang = 'ru';
  try { var u = JSON.parse(new URLSearchParams(initData).get('user') || '{}'); if (u.language_code && u.language_code.indexOf('ru') !== 0) lang = 'en'; } catch (e) {}
  if (!initData && navigator.language && navigator.language.indexOf('ru') !== 0) lang = 'en';
  var t = cfg.texts[lang];
  var fill = function (s, p) { return s.replace(/\\{(\\w+)\\}/g, function (_, k) { return p[k]; }); };
  var $ = function (id) { return document.getElementById(id); };
  document.documentElement.lang = lang;
  $('title').textContent = t.title; $('intro').textContent = fill(t.intro, { max: cfg.max });
  $('choose').querySelector('span').textContent = t.choose; $('retry').textContent = t.retry;
  var status = function (s) { $('status').textContent = s; };
  var auth = initData ? 'tma ' + initData : link ? 'link ' + link : '';
  if (!auth) { status(t.noAuth); $('choose').hidden = true; return; }
  var mb = function (n) { return (n / 1048576).toFixed(1); };
  var upload = null;
  $('file').addEventListener('change', function () {
    var file = this.files && this.files[0];
    if (!file) return;
    if (file.size > cfg.maxBytes) { status(fill(t.tooBig, { max: cfg.max })); return; }
    $('choose').hidden = true; $('bar').hidden = false;
    upload = new tus.Upload(file, {
      endpoint: ${JSON.stringify('/uploads')},
      chunkSize: cfg.chunkBytes,
      retryDelays: [0, 1000, 2000, 4000, 8000, 15000, 30000],
      headers: { Authorization: auth },
      metadata: { filename: file.name, filetype: file.type || 'application/octet-stream' },
      removeFingerprintOnSuccess: true,
      onProgress: function (sent, total) {
        $('bar').value = total ? sent / total : 0;
        status(fill(t.progress, { pct: total ? Math.floor((100 * sent) / total) : 0, sent: mb(sent), total: mb(total) }));
      },
      onShouldRetry: function () { status(t.retrying); return true; },
      onError: function (err) { status(fill(t.failed, { error: (err && err.message || String(err)).split('\\n')[0] })); $('retry').hidden = false; },
      onSuccess: function () { $('bar').value = 1; status(t.done); window.aishaUploadDone = true; if (tg && tg.close) setTimeout(function () { tg.close(); }, 1500); },
    });
    window.aishaUpload = upload;
    upload.findPreviousUploads().then(function (previous) {
      if (previous.length) upload.resumeFromPreviousUpload(previous[0]);
      upload.start();
    });
  });
  $('retry').addEventListener('click', function () { $('retry').hidden = true; upload && upload.start(); });
})();
</script>
</body></html>`;
}
