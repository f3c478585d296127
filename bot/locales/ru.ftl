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
