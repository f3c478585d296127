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
