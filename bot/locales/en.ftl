# Aisha — English

welcome-new =
    👋 Hi, { $name }! I'm Aisha.

    I train your personal AI avatar from your photos, draw images with it or with Imagen 4, and transcribe long audio.

    🎁 { $credits } free { $credits ->
        [one] credit has
       *[other] credits have
    } been added to your balance.
    💰 Balance: { $balance }
welcome-back =
    👋 Welcome back, { $name }!
    💰 Balance: { $balance }
balance-title = 💰 Balance: { $balance } { $balance ->
        [one] credit
       *[other] credits
    }
balance-history-title = Recent transactions:
balance-history-empty = No transactions yet.
balance-no-user = Please send /start first.
tx-GRANT = 🎁 Grant
tx-TOPUP = ⭐ Top-up
tx-CHARGE = 💳 Charge
tx-REFUND = ↩️ Refund
tx-ADJUST = 🛠 Adjustment
unhandled-text = I didn't understand that. See /help for commands.
unhandled-callback = This button no longer works.
error-generic = 😔 Something went wrong. We're on it. Error id: { $errorId }
start-pending = ⏳ One moment, setting up your profile…
