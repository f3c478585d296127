# Aisha — русский (язык по умолчанию)

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
unhandled-text = Я не понял сообщение. Список команд — /help.
unhandled-callback = Эта кнопка больше не работает.
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
admin-refund-insufficient = Нельзя вернуть платёж { $charge }: у пользователя { $balance } из { $credits } кредитов этого пакета, часть уже потрачена.
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
avatar-photos-status = 📸 «{ $name }»: принято { $accepted } из { $min }–{ $max } · отклонено { $rejected }
avatar-photos-more = Пришлите ещё { $more } фото.
avatar-photos-ready = Можно начинать обучение — это стоит { $price } кредитов. Ещё фото улучшат результат.
avatar-start-button = 🚀 Начать обучение ({ $price } кредитов)
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
avatar-training = ⏳ Обучаю аватар «{ $name }»: { $percent }%. Обычно это занимает от нескольких минут до часа — я напишу, когда всё будет готово.
avatar-ready = ✅ Аватар «{ $name }» готов! Сделать его основным можно в /avatar.
avatar-ready-main = ✅ Аватар «{ $name }» готов и выбран основным!
avatar-failed = 😔 Не удалось обучить аватар «{ $name }». { $refunded } кредитов возвращены на баланс.
avatar-fail-fal_error = Сервис обучения вернул ошибку.
avatar-fail-deadline = Обучение заняло слишком много времени и было остановлено.
avatar-fail-internal = Внутренняя ошибка; мы уже разбираемся.
avatar-cancelled = Аватар «{ $name }» отменён. { $refunded ->
        [0] Ничего не списано.
       *[other] { $refunded } кредитов возвращены на баланс.
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
avatar-photo-without-draft = Чтобы создать аватар из фото, откройте /avatar.
button-main = ⭐ Основной
button-rename = ✏️ Имя
button-delete = 🗑
cancelled = Отменено.
nothing-to-cancel = Нечего отменять.

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
button-favorite = { $n ->
        [0] ⭐ В избранное
       *[other] ⭐ { $n }
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
gen-go-button = 🎨 Создать — { $total } кредитов
gen-working = 🎨 Создаю { $count ->
        [one] изображение
       *[other] изображения
    }… Обычно это меньше минуты.
gen-partial = ⚠️ Получилось { $delivered } из { $requested }: остальные не прошли проверку или не удались. { $refunded } кредитов возвращены.
gen-failed = 😔 Не удалось создать изображение. { $refunded } кредитов возвращены на баланс.
gen-cancelled = Генерация отменена. { $refunded } кредитов возвращены на баланс.
image-not-found = Изображение не найдено.
favorite-on = ⭐ Добавлено в избранное
favorite-off = Убрано из избранного
avatar-generate-button = 🎨 Создать изображение
gen-ask-prompt = Что нарисовать с вашим аватаром? Опишите сцену одним сообщением. /cancel — отменить.

## Transcription
tr-checking = 🎧 Принято. Проверяю запись…
# $reason: too_large | unavailable | not_audio | too_short | too_long; $max: the longest recording in minutes.
tr-rejected = { $reason ->
        [too_large] 📦 Файл больше 20 МБ — столько Telegram разрешает скачивать ботам. Пришлите запись короче или сильнее сжатую (лучше всего голосовые и MP3/OGG).
        [unavailable] 😔 Telegram не отдал мне этот файл. Пришлите его ещё раз.
        [too_short] 🤏 Запись слишком короткая для расшифровки.
        [too_long] ⏱ Расшифровываю записи до { $max } минут. Разделите эту на части.
       *[not_audio] 🚫 Не получается прочитать файл как аудио: он повреждён или это не запись. Пришлите голосовое или аудиофайл (MP3, OGG, M4A, WAV, FLAC…).
    } Ничего не списано.
# $duration: "1:02:03"; $minutes: started minutes; $price: credits.
tr-quote = 🎧 Запись { $duration } · { $minutes } мин · { $price } кредитов.
tr-quote-expired = Расшифровка не была подтверждена вовремя. Ничего не списано — пришлите запись ещё раз, когда будет удобно.
button-tr-confirm = ✅ Расшифровать — { $price } кредитов
button-tr-cancel = ✖️ Отмена
tr-confirmed = Расшифровываю { $duration }…
tr-cancelled-free = Расшифровка отменена. Ничего не списано.
tr-not-started = Расшифровка не запущена.
tr-cancelled = Расшифровка отменена. { $refunded } кредитов возвращено на баланс.
# $done, $total: chunks.
tr-progress = 📝 Расшифровываю: часть { $done }/{ $total }…
tr-done = ✅ Расшифровка готова. Списано { $price } кредитов.
# $reason: no_speech | deadline | other.
tr-failed = { $reason ->
        [no_speech] 🔇 В записи не распознана речь.
        [deadline] ⏱ Расшифровка заняла слишком много времени и была остановлена.
       *[other] 😔 Расшифровка не удалась.
    } { $refunded } кредитов возвращено на баланс.
# $duration: "1:02:03".
tr-result-header = 📝 Расшифровка · { $duration }
tr-result-files = 📎 Полный текст и субтитры с таймкодами — в файлах ниже.
tr-not-found = Расшифровка не найдена или уже завершена.
