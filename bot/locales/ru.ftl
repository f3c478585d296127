# Aisha — русский (язык по умолчанию)

# "{ $n } { CREDITS($n) }" is "5 кредитов", "2 кредита", "1 кредит" / "1 credit", "5 credits" (lib/i18n.ts).

welcome-new =
    👋 Привет, { $name }! Я Аиша.

    Я обучаю вашего личного AI-аватара по фотографиям, рисую изображения с ним или через Imagen 4 и расшифровываю длинные аудио.

    🎁 На ваш баланс зачислено { $credits } { $credits ->
        [one] кредит
        [few] кредита
       *[many] кредитов
    } в подарок.
    💰 Баланс: { $balance }
welcome-back =
    👋 С возвращением, { $name }!
    💰 Баланс: { $balance }
balance-title = 💰 Баланс: { $balance } { $balance ->
        [one] кредит
        [few] кредита
       *[many] кредитов
    }
balance-history-title = Последние операции:
balance-history-empty = Операций пока нет.
balance-no-user = Сначала отправьте /start.
tx-GRANT = 🎁 Начисление
tx-TOPUP = ⭐ Пополнение
tx-CHARGE = 💳 Списание
tx-REFUND = ↩️ Возврат
tx-ADJUST = 🛠 Корректировка
unhandled-callback = Эта кнопка больше не работает.
private-only = 🔒 Баланс, изображения, аватары и расшифровки — только в личном чате со мной.
button-open-private = Открыть личный чат
error-generic = 😔 Что-то пошло не так. Мы уже разбираемся. Код ошибки: { $errorId }
start-pending = ⏳ Секунду, готовлю ваш профиль…

## Баланс и оплата
balance-tariffs =
    Тарифы:
    • обучение аватара — { $training }
    • изображение с аватаром — { $avatarImage } за штуку
    • изображение Imagen 4 — { $imagen } за штуку
    • расшифровка аудио — { $minute } за каждую начатую минуту
balance-topup-button = ⭐ Пополнить баланс
insufficient-funds =
    💳 Не хватает кредитов: нужно { $required }, на балансе { $balance }.
    Пополните баланс и попробуйте снова — с вас ничего не списано.
topup-title = ⭐ Пополнение звёздами Telegram. Выберите пакет:
topup-pack = ⭐ { $stars } → { $credits } { $credits ->
        [one] кредит
        [few] кредита
       *[many] кредитов
    }
topup-invoice-title = { $credits } { $credits ->
        [one] кредит
        [few] кредита
       *[many] кредитов
    } Aisha
topup-invoice-description = Пакет кредитов для обучения аватаров, генерации изображений и расшифровки аудио.
topup-pack-unknown = Этот пакет больше недоступен. Откройте /topup ещё раз.
topup-payment-problem = Не удалось принять оплату. Попробуйте ещё раз через /topup.
topup-done =
    ✅ Оплата получена: +{ $credits } (⭐ { $stars }).
    💰 Баланс: { $balance }
grant-notice =
    🎁 Вам начислено { $credits }: { $reason }
    💰 Баланс: { $balance }
payment-refunded-notice =
    ↩️ Возвращено ⭐ { $stars }, списано { $credits }.
    💰 Баланс: { $balance }

## Администрирование
admin-usage =
    Команды администратора:
    /admin — статистика (/admin stats <гггг-мм-дд> — на конец дня UTC)
    /admin user <id пользователя>
    /admin refund <id задачи>
    /admin retry <id задачи>
    /admin grant <id пользователя> <кредиты> <причина>
    /admin balance <id пользователя>
    /admin refund-payment <id платежа>
admin-bad-amount = Количество кредитов — целое число от 1 до 1 000 000.
admin-user-not-found = Пользователь { $user } не найден.
admin-started = ⏳ Выполняю…
admin-granted = ✅ Пользователю { $user } начислено { $credits }. Баланс: { $balance }
admin-balance = Пользователь { $user }: баланс { $balance }
admin-refund-done = ✅ Платёж { $charge }: возвращено ⭐ { $stars }, списано { $credits }. Баланс пользователя: { $balance }
admin-refund-not-found = Платёж { $charge } не найден.
admin-refund-already-refunded = Платёж { $charge } уже возвращён.
admin-refund-insufficient = Нельзя вернуть платёж { $charge }: у пользователя { $balance } из { $credits } { CREDITS($credits) } этого пакета, часть уже потрачена.
admin-refund-failed = Telegram не вернул платёж { $charge }: { $error }. Кредиты возвращены пользователю (баланс { $balance }).

## Аватары
avatar-list-title = 🧑‍🎨 Ваши аватары:
avatar-list-empty = У вас пока нет аватаров. Создайте первого — нужно 10–20 фото.
avatar-list-item = { $main ->
        [yes] ⭐
       *[no] •
    } { $name } — { $status }
avatar-create-button = ➕ Создать аватар
avatar-status-COLLECTING_PHOTOS = собираю фото
avatar-status-READY = готов к обучению
avatar-status-CHARGED = запускается
avatar-status-TRAINING = обучается
avatar-status-COMPLETED = готов
avatar-status-FAILED = ошибка
avatar-status-CANCELLED = отменён
avatar-choose-type =
    Какой аватар создаём?

    👤 Портрет — ваше лицо в любых образах и сценах. Нужны фото, где хорошо видно лицо.
    🎨 Стиль — узнаваемая манера, образ или персонаж целиком.
avatar-type-portrait = 👤 Портрет
avatar-type-style = 🎨 Стиль
avatar-ask-name = Как назовём аватар? Пришлите имя (до 40 символов). /cancel — отменить.
avatar-bad-name = Имя — от 1 до 40 символов, без переводов строк. Попробуйте ещё раз.
avatar-intro =
    Аватар «{ $name }» создан. Пришлите от { $min } до { $max } фото (можно альбомом):
    • на каждом фото — только вы, лицо хорошо видно;
    • без солнечных очков и закрытого лица;
    • разные ракурсы, освещение и фон.
# $replies: yes — each rejected photo got a reply with its reason.
avatar-photos-status = 📸 «{ $name }»: принято { $accepted } из { $min }–{ $max } · отклонено { $rejected }{ $replies ->
        [yes] { $rejected ->
            [0] {""}
           *[other] {" "}(ответы под фото)
        }
       *[no] {""}
    }
avatar-photos-more = Пришлите ещё { $more } фото.
avatar-photos-ready = Можно начинать обучение — это стоит { $price } { CREDITS($price) }. Ещё фото улучшат результат.
avatar-start-button = 🚀 Начать обучение ({ $price } { CREDITS($price) })
avatar-cancel-button = ✖️ Отменить
photo-reject-not_image = ❌ { $n } — не изображение (нужны JPEG, PNG или WebP)
photo-reject-too_large = ❌ { $n } — файл больше 20 МБ
photo-reject-too_small = ❌ { $n } — слишком маленькое (короткая сторона меньше 512 пикселей)
photo-reject-download_failed = ❌ { $n } — не удалось загрузить, пришлите ещё раз
photo-reject-no_face = ❌ { $n } — не найдено лицо
photo-reject-many_faces = ❌ { $n } — на фото несколько лиц
photo-reject-blurred = ❌ { $n } — размыто
photo-reject-occluded = ❌ { $n } — лицо закрыто (очки, маска, рука)
photo-reject-explicit = ❌ { $n } — недопустимое содержание
photo-reject-duplicate = ❌ { $n } — повтор уже присланного фото
photo-reject-too_many = ❌ { $n } — сверх лимита фото
photo-reject-unknown = ❌ { $n } — не подошло
# The reply under one rejected photo. $reason: as in photo-reject-*.
photo-rejected = ❌ Это фото не подойдёт: { $reason ->
        [not_image] это не изображение (нужны JPEG, PNG или WebP).
        [too_large] файл больше 20 МБ.
        [too_small] слишком маленькое — короткая сторона меньше 512 пикселей.
        [download_failed] не удалось загрузить, пришлите его ещё раз.
        [no_face] не найдено лицо.
        [many_faces] на фото несколько лиц, нужно только ваше.
        [blurred] размыто.
        [occluded] лицо закрыто (очки, маска, рука).
        [explicit] недопустимое содержание.
        [duplicate] это повтор уже присланного фото.
        [too_many] уже набрано максимальное число фото.
       *[other] оно не прошло проверку.
    }
# $percent: FAL's progress; $elapsed: minutes so far; $left: estimated minutes left; $queue: place in FAL's queue (0 — not queued).
avatar-training = ⏳ Обучение «{ $name }» · { $queue ->
        [0] { $percent }%
       *[other] в очереди, место { $queue }
    } · идёт { $elapsed } мин · осталось ~{ $left } мин
    Я пришлю новое сообщение, когда аватар будет готов.
avatar-ready = ✅ Аватар «{ $name }» готов! Сделать его основным можно в /avatar.
avatar-ready-main = ✅ Аватар «{ $name }» готов и выбран основным!
avatar-failed = 😔 Не удалось обучить аватар «{ $name }». { $refunded } { CREDITS($refunded) } возвращены на баланс.
avatar-fail-fal_error = Сервис обучения вернул ошибку.
avatar-fail-deadline = Обучение заняло слишком много времени и было остановлено.
avatar-fail-internal = Внутренняя ошибка; мы уже разбираемся.
avatar-cancelled = Аватар «{ $name }» отменён. { $refunded ->
        [0] Ничего не списано.
       *[other] { $refunded } { CREDITS($refunded) } возвращены на баланс.
    }
avatar-draft-expired = Черновик аватара «{ $name }» удалён: больше суток без новых фото. Ничего не списано.
avatar-not-found = Аватар не найден.
avatar-main-set = ⭐ «{ $name }» теперь основной аватар.
avatar-main-not-ready = Основным можно сделать только готовый аватар.
avatar-rename-ask = Новое имя для «{ $name }»? /cancel — отменить.
avatar-renamed = Готово: «{ $name }».
avatar-delete-confirm = Удалить аватар «{ $name }» и его фото? Если он обучается, обучение остановится и кредиты вернутся.
avatar-delete-yes = 🗑 Удалить
avatar-deleted = Аватар «{ $name }» удалён.
button-main = ⭐ Основной
button-rename = ✏️ Имя
button-delete = 🗑
cancelled = Отменено.
nothing-to-cancel = Нечего отменять.
cancel-which = Что отменить? Всё недоставленное вернётся на баланс.
cancel-sent = { $kind ->
        [avatar_training] Отменяю создание аватара…
        [generation] Отменяю генерацию изображений…
       *[transcription] Отменяю расшифровку…
    } Всё недоставленное вернётся на баланс.

## Генерация изображений: доставка, кнопки, промпт
# $mode: AVATAR | IMAGEN4; $prompt: отрывок запроса (до 200 символов); $count: сколько изображений.
gen-caption =
    { $mode ->
        [AVATAR] 🧑‍🎨 С аватаром
       *[IMAGEN4] 🎨 Imagen 4
    } · { $count } { $count ->
        [one] изображение
        [few] изображения
       *[many] изображений
    }
    «{ $prompt }»
gen-buttons-title = 👆 Кнопки к изображениям альбома — по номеру, слева направо: ⭐ в избранное · 🔁 ещё раз · 📝 промпт
# $n: номер изображения в альбоме; 0 — изображение одно (подпись полностью).
# $on: yes — уже в избранном (кнопка показывает состояние).
button-favorite = { $on ->
        [yes] { $n ->
            [0] ⭐ В избранном
           *[other] ⭐ { $n }
        }
       *[no] { $n ->
            [0] ☆ В избранное
           *[other] ☆ { $n }
        }
    }
button-again = { $n ->
        [0] 🔁 Ещё раз
       *[other] 🔁 { $n }
    }
button-prompt = { $n ->
        [0] 📝 Промпт
       *[other] 📝 { $n }
    }
# $enhanced и $score: строка "none", если значения нет.
image-prompt-view =
    📝 Ваш запрос:
    { $prompt }

    { $enhanced ->
        [none] ✨ Модель получила запрос без изменений.
       *[other]
            ✨ Улучшенный запрос (его получила модель):
            { $enhanced }
    }

    { $score ->
        [none] 🏅 Оценка качества: нет
       *[other] 🏅 Оценка качества: { $score } из 10
    }

## Генерация: запуск и итог
gen-need-prompt =
    Напишите, что нарисовать, например:
    /imagen кот-астронавт в неоновом городе
    /generate я на вершине горы на рассвете (с вашим основным аватаром)
    Или пришлите фото с подписью /generate — нарисую в его духе.
gen-prompt-too-long = Слишком длинный запрос: не больше { $max } символов.
gen-no-avatar = Для /generate нужен готовый основной аватар — создайте его в /avatar. Без аватара — /imagen.
gen-options =
    { $mode ->
        [avatar] 🧑‍🎨 С аватаром «{ $avatar }»
       *[imagen] 🖼 Imagen 4
    }
    📝 { $prompt }

    Выберите формат и количество. Цена: { $price } за изображение, итого { $total }.
# After Create: what was chosen. $mode: avatar | imagen; $ratio: "3:4".
gen-options-chosen =
    { $mode ->
        [avatar] 🧑‍🎨 С аватаром «{ $avatar }»
       *[imagen] 🖼 Imagen 4
    }
    📝 { $prompt }

    ✅ { $ratio } · { $count } { $count ->
        [one] изображение
        [few] изображения
       *[many] изображений
    } · { $total } { CREDITS($total) }
gen-go-button = 🎨 Создать — { $total } { CREDITS($total) }
gen-offer-stale = Эти настройки устарели — начните заново: /imagen или /generate.
gen-offer-changed = Предложение изменилось. Ниже — актуальная цена; ничего не списано.
gen-options-not-updated = Не получилось обновить настройки — ничего не изменилось. Нажмите ещё раз.
# $seconds: сколько обычно занимает генерация (0 — неизвестно).
gen-working = 🎨 Создаю { $count ->
        [one] изображение
       *[other] изображения
    }… { $seconds ->
        [0] Обычно это меньше минуты.
       *[other] Обычно ~{ $seconds } с. ✖️ — остановить и вернуть кредиты.
    }
gen-partial = ⚠️ Получилось { $delivered } из { $requested }: остальные не прошли проверку или не удались. { $refunded } { CREDITS($refunded) } возвращены.
gen-failed = 😔 Не удалось создать изображение. { $refunded } { CREDITS($refunded) } возвращены на баланс.
gen-cancelled = Генерация отменена. { $refunded } { CREDITS($refunded) } возвращены на баланс.
image-not-found = Изображение не найдено.
favorite-on = ⭐ Добавлено в избранное
favorite-off = Убрано из избранного
avatar-generate-button = 🎨 Создать изображение
# $mode: avatar | imagen.
gen-ask-prompt = { $mode ->
        [avatar] 🧑‍🎨 Что нарисовать с вашим аватаром? Опишите сцену одним сообщением.
       *[imagen] 🖼 Что нарисовать через Imagen 4? Опишите картинку одним сообщением.
    } /cancel — отменить.

## Деньги до работы, состояние разговора
# $enough: yes | no.
avatar-price-note = 💳 Обучение стоит { $price } { CREDITS($price) }, на балансе { $balance }. { $enough ->
        [yes] Кредиты спишутся только при запуске обучения.
       *[no] Этого не хватит — пополните баланс сейчас, чтобы не ждать после загрузки фото.
    }
insufficient-funds-waiting =
    💳 Не хватает кредитов: нужно { $required }, на балансе { $balance }. Ничего не списано.
    Пополните баланс — после оплаты появится кнопка «▶ Продолжить».
# $kind: avatar-start | generation.
continue-offer = ✅ Теперь кредитов хватает (баланс { $balance }). { $kind ->
        [avatar-start] Продолжить обучение аватара за { $price } { CREDITS($price) }?
       *[generation] Продолжить создание изображений за { $price } { CREDITS($price) }?
    }
continue-button = ▶ Продолжить
continue-nothing = Продолжать нечего — начните заново.
unknown-command = Такой команды нет. Что я умею — /help.
waiting-avatar-photos = 📸 Сейчас я жду фото для аватара: пришлите их (можно альбомом), затем нажмите 🚀 в сообщении со счётчиком. /cancel — отменить аватар.
text-outside-flow = 🎨 Нарисовать это?
# $price: кредитов за изображение.
text-use-imagen = 🖼 Imagen 4 · { $price } { CREDITS($price) } за изображение
text-use-avatar = 🧑‍🎨 С моим аватаром · { $price } { CREDITS($price) } за изображение
# $name: имя или тип файла.
unsupported-document = 📄 «{ $name }» я не открываю. Для аватара нужны фото (JPEG, PNG, WebP), для расшифровки — голосовое, аудио или видео. Что я умею — /help.
unsupported-message = 🤷 С таким сообщением я ничего сделать не могу. Пришлите текст, фото, голосовое или аудио — или откройте /help.
photo-outside-flow = 📷 Что сделать с этим фото?
photo-use-avatar = 🧑‍🎨 Создать аватар (нужно 10–20 фото)
photo-use-imagen = 🖼 Нарисовать в его духе (Imagen 4)
photo-use-avatar-gen = 🎨 Нарисовать в его духе с моим аватаром
# $mode: avatar | imagen.
gen-ask-prompt-reference = { $mode ->
        [avatar] 🧑‍🎨 Нарисую с вашим аватаром в духе этого фото.
       *[imagen] 🖼 Нарисую в духе этого фото через Imagen 4.
    } Опишите одним сообщением, что изменить или добавить. /cancel — отменить.

## Transcription
tr-checking = 🎧 Принято. Проверяю запись…
# $reason: too_large | unavailable | not_audio | too_short | too_long | link_too_large | link_unavailable | bad_link | private_address | web_page; $max: the longest recording in minutes.
tr-rejected = { $reason ->
        [too_large] 📦 Файл больше 20 МБ — столько Telegram разрешает скачивать ботам. Пришлите запись короче или сильнее сжатую (лучше всего голосовые и MP3/OGG).
        [unavailable] 😔 Telegram не отдал мне этот файл. Пришлите его ещё раз.
        [too_short] 🤏 Запись слишком короткая для расшифровки.
        [too_long] ⏱ Расшифровываю записи до { $max } минут. Разделите эту на части.
        [link_too_large] 📦 Файл по ссылке больше 2 ГБ.
        [link_unavailable] 😔 По ссылке не удалось скачать файл (сервер не ответил или файла нет). Проверьте, что ссылка открывается без входа.
        [bad_link] 🔗 Это не прямая ссылка на файл (нужна http(s)-ссылка без пароля, не больше трёх переадресаций).
        [private_address] 🔒 Ссылки на внутренние адреса (localhost, домашние и служебные сети) я не открываю.
        [web_page] 🌐 По ссылке веб-страница, а не файл. Нужна прямая ссылка на аудио или видео (обычно кнопка «Скачать»).
       *[not_audio] 🚫 Не получается прочитать файл как аудио: он повреждён или это не запись. Пришлите голосовое или аудиофайл (MP3, OGG, M4A, WAV, FLAC…).
    } Ничего не списано.
# $duration: "1:02:03"; $minutes: started minutes; $price: credits.
tr-quote = 🎧 Запись { $duration } · { $minutes } мин · { $price } { CREDITS($price) }.
tr-quote-expired = Расшифровка не была подтверждена вовремя. Ничего не списано — пришлите запись ещё раз, когда будет удобно.
button-tr-confirm = ✅ Расшифровать — { $price } { CREDITS($price) }
button-tr-cancel = ✖️ Отмена
tr-confirmed = Расшифровываю { $duration }…
tr-cancelled-free = Расшифровка отменена. Ничего не списано.
tr-not-started = Расшифровка не запущена.
tr-cancelled = Расшифровка отменена. { $refunded } { CREDITS($refunded) } возвращено на баланс.
# $done, $total: chunks; $left: estimated minutes left.
tr-progress = 📝 Расшифровываю: часть { $done }/{ $total } · осталось ~{ $left } мин
tr-done = ✅ Расшифровка готова. Списано { $price } { CREDITS($price) }.
# $reason: no_speech | deadline | other.
tr-failed = { $reason ->
        [no_speech] 🔇 В записи не распознана речь.
        [deadline] ⏱ Расшифровка заняла слишком много времени и была остановлена.
       *[other] 😔 Расшифровка не удалась.
    } { $refunded } { CREDITS($refunded) } возвращено на баланс.
# $duration: "1:02:03".
tr-result-header = 📝 Расшифровка · { $duration }
# A speaker's label in transcripts with speaker labels.
tr-speaker = Спикер { $n }
tr-result-files = 📎 Полный текст и субтитры с таймкодами — в файлах ниже.
# $paid, $refunded: credits; $gaps: how many parts failed.
tr-partial = ⚠️ Расшифровка готова, но { $gaps ->
        [one] одна часть записи не распознана
       *[other] { $gaps } части записи не распознаны
    } — пропуски отмечены в тексте. Списано { $paid } { CREDITS($paid) }, { $refunded } { CREDITS($refunded) } за пропуски возвращено.
# A failed part inside a transcript. $from, $to: "12:00".
tr-gap = [не распознано: { $from } – { $to }]
tr-not-found = Расшифровка не найдена или уже завершена.

## Gallery
# $page, $total: строки ("3", "57"); $kind: AVATAR | IMAGEN4; $avatar: имя аватара или "none"; $favorite: yes | no; $date: "12.03.2026"; $prompt: отрывок запроса.
gallery-caption =
    🖼 Галерея · { $page } из { $total }
    { $kind ->
        [AVATAR] 🧑‍🎨 { $avatar ->
            [none] С аватаром
           *[other] Аватар «{ $avatar }»
        }
       *[IMAGEN4] 🎨 Imagen 4
    } · { $date }{ $favorite ->
        [yes] {" "}· ⭐ в избранном
       *[no] {""}
    }
    «{ $prompt }»
gallery-prev = ←
gallery-next = →
gallery-counter = { $page }/{ $total }
gallery-star-add = ☆ В избранное
gallery-star-remove = ⭐ Убрать
gallery-delete-button = 🗑 Удалить
# $kind: all | AVATAR | IMAGEN4; $count: сколько изображений покажет кнопка.
gallery-filter-kind = { $kind ->
        [AVATAR] 🧑‍🎨 Аватар
        [IMAGEN4] 🎨 Imagen 4
       *[all] 🖼 Все
    } · { $count }
# $period: all | today | week | month.
gallery-filter-period = { $period ->
        [today] Сегодня
        [week] 7 дней
        [month] 30 дней
       *[all] Всё время
    }
gallery-filter-favorites = ⭐ Только избранное · { $count }
# Отметка выбранного варианта на кнопке (фильтр, язык).
button-chosen = ✓ { $label }
gallery-transcripts-button = 🎧 Расшифровки
gallery-reset-button = ↺ Сбросить фильтры
gallery-create-button = 🎨 Создать изображение
gallery-empty =
    🖼 В галерее пока пусто.
    Здесь появятся все созданные изображения: с фильтрами, избранным и листанием. Создайте первое — /imagen или /generate.
gallery-empty-filter =
    🔍 Под выбранные фильтры ничего не нашлось (всего в галерее: { $everything }).
    Измените фильтры кнопками ниже или сбросьте их.
gallery-delete-confirm = 🗑 Удалить это изображение из галереи? Вернуть его будет нельзя.
gallery-delete-yes = 🗑 Да, удалить
gallery-delete-no = ↩️ Нет
gallery-deleted = 🗑 Изображение удалено
gallery-transcripts-title = 🎧 Ваши последние расшифровки — файлы можно получить ещё раз:
gallery-transcripts-empty = 🎧 Расшифровок пока нет. Пришлите голосовое или аудиофайл — я переведу его в текст.
# $n: номер в списке (строка); $date: "12.03.2026"; $duration: "1:02:03"; $words: первые слова.
gallery-transcript-item = { $n }. { $date } · { $duration } — «{ $words }»
gallery-transcript-txt = 📄 { $n } · .txt
gallery-transcript-srt = 🎬 { $n } · .srt
gallery-transcript-vtt = 🌐 { $n } · .vtt
# $price: 0 when the summary is made already (shown again for free).
gallery-transcript-summary = 📋 { $n } · кратко{ $price ->
        [0] {""}
       *[other] {" "}· { $price } кр.
    }
transcript-file-not-found = Файл расшифровки не найден.

## Profile
# $main: имя основного аватара или "none"; $minutes: минуты расшифровок; $since: "12.03.2026".
profile-text =
    👤 Профиль
    💰 Баланс: { $balance } { $balance ->
        [one] кредит
        [few] кредита
       *[many] кредитов
    }
    🧑‍🎨 Аватары: { $avatars }{ $main ->
        [none] {""}
       *[other] {" "}· основной «{ $main }»
    }
    🖼 Изображения: { $images } (с аватаром — { $avatarImages }, Imagen 4 — { $imagenImages }) · ⭐ { $favorites }
    🎧 Расшифровки: { $transcripts } · { $minutes } мин
    📅 С нами с { $since }
    🌐 Язык: русский
    🕒 Часовой пояс: { $zone }
profile-gallery-button = 🖼 Галерея
profile-language-button = 🌐 Язык · Language
lang-choose = 🌐 Выберите язык · Choose your language
lang-ru = 🇷🇺 Русский
lang-en = 🇬🇧 English
lang-set = ✅ Язык: русский. Команды и сообщения теперь на русском.

## Help, menus, limits, jobs
# Prices are credits from the configuration.
help =
    ℹ️ Что я умею

    🧑‍🎨 /avatar — обучить личного AI-аватара по 10–20 вашим фото: { $avatarPrice } { CREDITS($avatarPrice) }. Затем /generate <сцена> рисует вас где угодно: { $avatarImagePrice } { CREDITS($avatarImagePrice) } за изображение.
    🎨 /imagen <запрос> — изображения через Google Imagen 4: { $imagenPrice } { CREDITS($imagenPrice) } за изображение. Пришлите фото с подписью /generate — нарисую в его духе.
    🎧 Пришлите голосовое, аудиофайл, кружок или аудио-документ — расшифрую (до { $maxMinutes } мин): { $minutePrice } кредит за начатую минуту; текст и файлы .txt и .srt.
    🖼 /gallery — ваши изображения с фильтрами и избранным, а также расшифровки.
    ⏳ /jobs — что сейчас выполняется, с кнопкой отмены.
    💰 /balance, /topup — кредиты и пополнение звёздами Telegram.
    👤 /profile, /lang — профиль, язык и часовой пояс.
    ✖️ /cancel — остановить текущий шаг или задачу: всё недоставленное возвращается.

    Вы платите только за результат: неудачная или отменённая задача возвращает кредиты.
menu-start = Начать
menu-help = Что я умею и цены
menu-avatar = Ваши аватары
menu-generate = Изображение с аватаром
menu-imagen = Изображение через Imagen 4
menu-gallery = Ваша галерея
menu-jobs = Задачи в работе
menu-balance = Баланс и история
menu-topup = Пополнить звёздами
menu-profile = Профиль
menu-lang = Язык
menu-cancel = Отменить текущий шаг
rate-limited = ✋ Слишком много сообщений сразу. Подождите несколько секунд и попробуйте снова.
# $kind: avatar_training | generation | transcription; $limit: how many may run at once.
job-limit = { $kind ->
        [avatar_training] ⏳ Аватар уже обучается. Дождитесь окончания — он виден в /jobs.
        [generation] ⏳ Уже создаются изображения ({ $limit } задачи). Дождитесь окончания одной из них — см. /jobs.
       *[transcription] ⏳ Уже расшифровываются { $limit } записи. Дождитесь окончания одной из них — см. /jobs.
    }
jobs-title = ⏳ Сейчас в работе:
jobs-empty = Сейчас ничего не выполняется.
# $n: number in the list; $kind: avatar_training | generation | transcription; $stage: job-stage; $elapsed: how long it runs (elapsed).
jobs-line = { $n }. { $kind ->
        [avatar_training] 🧑‍🎨 Аватар
        [generation] 🎨 Изображения
       *[transcription] 🎧 Расшифровка
    } · { $stage } · ⏱ { $elapsed }
button-job-cancel = ✖️ Отменить { $n }
job-not-found = Задача не найдена или уже завершена.
# A job whose workflow ended without finishing (an operator stopped it), told by its billing at the deadline. $kind: generation | avatar | transcription | summary.
job-ended-refunded = ⚠️ { $kind ->
        [generation] Генерация изображений остановлена
        [avatar] Обучение аватара остановлено
        [summary] Составление краткого содержания остановлено
       *[transcription] Расшифровка остановлена
    } без результата. Вернули на баланс { $refunded } { CREDITS($refunded) }.
job-cancel-sent = Отменяю… Всё недоставленное вернётся на баланс.

## Menu, history, time zones
main-menu-avatars = 🧑‍🎨 Аватары
main-menu-create = 🎨 Создать изображение
main-menu-transcribe = 🎧 Расшифровать
main-menu-gallery = 🖼 Галерея
main-menu-balance = 💰 Баланс
# Prices are credits from the configuration.
create-choose =
    🎨 Как создаём изображение?

    🧑‍🎨 С аватаром — вы в любой сцене, нужен готовый основной аватар: { $avatarImagePrice } { CREDITS($avatarImagePrice) } за изображение.
    🖼 Imagen 4 — любая картинка по описанию: { $imagenPrice } { CREDITS($imagenPrice) } за изображение.
button-create-avatar = 🧑‍🎨 С аватаром
button-create-imagen = 🖼 Imagen 4
# $price: credits per started minute; $max: the longest recording in minutes.
transcribe-help =
    🎧 Пришлите голосовое сообщение, аудиофайл или кружок — я переведу речь в текст.

    💳 { $price } { CREDITS($price) } за каждую начатую минуту, записи до { $max } мин. Длинную запись я сначала оценю и спрошу подтверждение; текст придёт сообщением и файлами .txt и .srt.

    📤 Файлы больше 20 МБ (до 2 ГБ) — через страницу загрузки: /upload.
# The /balance history. $count: images; $mode: AVATAR | IMAGEN4; $avatar: the avatar's name or "none".
history-generation = { $mode ->
        [AVATAR] { $avatar ->
            [none] С аватаром
           *[other] С аватаром «{ $avatar }»
        }
       *[IMAGEN4] Imagen 4
    } · { $count } { $count ->
        [one] изображение
        [few] изображения
       *[many] изображений
    }
history-avatar = Аватар «{ $name }» · обучение
# $minutes: started minutes (0: unknown).
history-transcription = Расшифровка{ $minutes ->
        [0] {""}
       *[other] {" "}· { $minutes } мин
    }
# A job whose own row is gone. $kind: generation | avatar | transcription.
history-job = { $kind ->
        [generation] Изображения
        [avatar] Обучение аватара
        [summary] Краткое содержание расшифровки
       *[transcription] Расшифровка
    }
# $job: one of the history-* descriptions above.
history-charge = { $kind ->
        [generation] 🎨
        [avatar] 🧑‍🎨
        [summary] 📋
       *[transcription] 🎧
    } { $job }
history-refund = ↩️ Возврат · { $job }
history-summary = Краткое содержание расшифровки
history-welcome = 🎁 Подарок при регистрации
# $reason: the administrator's reason, or "none".
history-grant = 🎁 Начисление{ $reason ->
        [none] {""}
       *[other] {" "}· { $reason }
    }
history-stars-refund = ⭐ Возврат звёзд
history-stars-refund-reverted = ⭐ Возврат звёзд не состоялся
# /jobs. $hours, $minutes: how long the job has been running.
elapsed = { $hours ->
        [0] { $minutes ->
            [0] меньше минуты
           *[other] { $minutes } мин
        }
       *[other] { $hours } ч{ $minutes ->
            [0] {""}
           *[other] {" "}{ $minutes } мин
        }
    }
# $stage: the job's JobStatus search attribute; $kind: avatar_training | generation | transcription.
# An avatar's workflow keeps the bot's "running" until its first change of stage: it is collecting photos.
job-stage = { $stage ->
        [running] { $kind ->
            [avatar_training] собираю фото
           *[other] запускается
        }
        [collecting_photos] собираю фото
        [ready] готов к обучению
        [charged] оплачено, запускаю
        [training] обучается
        [charging] списываю кредиты
        [preparing] готовлю запрос
        [generating] рисую
        [checking] { $kind ->
            [generation] проверяю качество
           *[other] проверяю запись
        }
        [delivering] отправляю результат
        [awaiting_confirmation] жду вашего подтверждения
        [transcribing] расшифровываю
        [completed] готово
        [partial] готово частично
        [failed] не удалось
        [cancelled] отменяется
        [rejected] отклонено
        [insufficient] не хватило кредитов
       *[other] в работе
    }
button-jobs-refresh = 🔄 Обновить
jobs-refreshed = 🔄 Обновлено
# Time zones (lib/time-zone.ts). $id: a TIME_ZONES id; $zone: its IANA name (shown for any other zone).
time-zone-city = { $id ->
        [new_york] Нью-Йорк
        [utc] Всемирное время
        [london] Лондон
        [berlin] Берлин
        [kaliningrad] Калининград
        [moscow] Москва
        [samara] Самара
        [yekaterinburg] Екатеринбург
        [omsk] Омск
        [novosibirsk] Новосибирск
        [irkutsk] Иркутск
        [vladivostok] Владивосток
       *[other] { $zone }
    }
# $city: time-zone-city; $offset: "UTC+3".
time-zone-label = { $city } · { $offset }
profile-time-zone-button = 🕒 Часовой пояс
# $on: yes | no.
profile-speakers-button = 🗣 Спикеры: { $on ->
        [yes] вкл
       *[no] выкл
    }
profile-speakers-set = { $on ->
        [yes] 🗣 Расшифровки будут с именами спикеров: «Спикер 1: …».
       *[no] Расшифровки будут без спикеров.
    }
# $zone: time-zone-label of the current zone.
time-zone-choose =
    🕒 Часовой пояс: { $zone }
    В нём я показываю время в /balance, /jobs, профиле и галерее. Выберите свой:
time-zone-set = ✅ Часовой пояс: { $zone }

## Admin stats
admin-stats-title = 📊 Статистика на { $day } (UTC)
admin-stats-users = 👥 Пользователи: { $total } · новых сегодня { $new } · активны сегодня { $active } · за 7 дней { $week }
admin-stats-retention-title = 🔁 Удержание (активны ровно на N-й день после регистрации):
admin-stats-retention = D{ $n }: { $retained } из { $cohort } ({ $percent }%)
admin-stats-retention-empty = D{ $n }: когорты пока нет
admin-stats-jobs-title = ⚙️ Задачи сегодня:
# $kind: avatar_training | generation | transcription; $statuses: "completed 3, failed 1"
admin-stats-jobs = { $kind ->
        [avatar_training] 🧑‍🎨 Аватары
        [generation] 🎨 Изображения
       *[transcription] 🎧 Расшифровки
    }: { $total } ({ $statuses })
admin-stats-credits = 💳 Кредиты сегодня: списано { $charged } · возвращено { $refunded }
admin-stats-failures-title = ❌ Частые причины сбоев за 7 дней:
admin-stats-failure = { $count } × { $kind } · { $reason }
admin-stats-failures-none = ❌ Сбоев за 7 дней нет.
admin-user-title = 👤 Пользователь { $user } · { $name }
admin-user-profile = 💰 Баланс { $balance } · язык { $language } · с { $since } · был { $seen } UTC
admin-user-counts = 🧑‍🎨 Аватары { $avatars } · 🖼 Изображения { $images } · 🎧 Расшифровки { $transcripts }
admin-user-jobs-title = ⚙️ Последние задачи:
admin-user-job = { $created } · { $kind } · { $status } · { $job }
admin-user-jobs-none = ⚙️ Задач пока нет.
admin-user-failures-title = ❌ Последние сбои:
admin-user-failure = { $job }: { $reason }
admin-job-bad-id = Укажите id задачи: gen-…, tr-… или avatar-… (как в /admin user).
admin-job-not-found = Задача { $job } не найдена (или её история уже не хранится).
admin-refund-cancel-sent = ⏹ { $job } ещё выполняется: отправлена отмена. Её биллинг вернёт всё недоставленное.
admin-refund-settle-sent = ↩️ { $job } завершена, но её биллинг ещё ждал: закрыт как «ничего не доставлено», всё списанное вернётся.
admin-job-refunded = ↩️ { $job }: возвращено { $credits } (списано { $charged }, возвращено ранее { $before }). Баланс пользователя { $user }: { $balance }
admin-job-nothing-left = { $job }: возвращать нечего (списано { $charged }, возвращено { $refunded }).
job-refunded-notice =
    ↩️ Вам возвращено { $credits } { $credits ->
        [one] кредит
        [few] кредита
       *[many] кредитов
    } за незавершённую задачу.
    💰 Баланс: { $balance }
admin-retry-poll-sent = ⚡ { $job } ждёт FAL: попросил её проверить статус FAL сейчас.
admin-retry-running = { $job } выполняется (этап { $stage }) и не ждёт FAL: повторять нечего.
admin-retry-started = 🔁 { $job } запущена заново как { $newJob }: спишется через биллинг, при сбое вернётся.
admin-retry-not-retriable = { $job } завершилась со статусом { $status }: повторить можно только неудавшуюся или отменённую генерацию или расшифровку.
admin-retry-avatar = { $job }: обучение аватара администратор не перезапускает — пользователь создаёт новый аватар (за неудачный кредиты вернулись).
tr-not-started-error = 😔 Не удалось обработать запись. Ничего не списано — пришлите её ещё раз позже.

## Краткое содержание расшифровки (📋 Кратко)
button-tr-summary = 📋 Кратко — { $price } { CREDITS($price) }
sum-started = 📋 Готовлю краткое содержание…
sum-working = 📋 Читаю расшифровку и составляю краткое содержание…
# $title, $points: the summary's title and key points (one "• " line each).
sum-result =
    📋 { $title }

    Главное:
    { $points }
# $actions: the action items, one "• " line each (only when there are any).
sum-result-actions =
    Задачи и договорённости:
    { $actions }
sum-failed = 😔 Не получилось составить краткое содержание. { $refunded } { CREDITS($refunded) } возвращены — попробуйте ещё раз позже.
# $reason: running | done | missing. Nothing was charged.
sum-not-started = { $reason ->
        [running] 📋 Краткое содержание уже готовится — пришлю его сюда.
        [done] 📋 Краткое содержание этой расшифровки уже готово — оно выше.
       *[missing] Расшифровка не найдена. Ничего не списано.
    }
sum-price-changed = Цена изменилась: было { $was }, теперь { $price } { CREDITS($price) }. Ничего не списано — кнопка обновлена, нажмите её ещё раз.

## Upload page (a Mini App) for files of any size. $max: "2 ГБ"; $link: a one-time link; $hours: how long it is valid.
upload-offer =
    📤 Файлы до { $max } — через страницу загрузки: кнопка ниже откроет её прямо в Telegram, а загрузка продолжится после обрыва связи.
    Из браузера на компьютере: { $link } (ссылка на одну загрузку, действует { $hours } ч).
button-upload = 📤 Загрузить файл до { $max }
