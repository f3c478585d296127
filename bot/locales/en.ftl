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

## Balance and payments
balance-tariffs =
    Prices:
    • avatar training — { $training }
    • image with your avatar — { $avatarImage } each
    • Imagen 4 image — { $imagen } each
    • audio transcription — { $minute } per started minute
balance-topup-button = ⭐ Top up
insufficient-funds =
    💳 Not enough credits: { $required } needed, { $balance } on your balance.
    Top up and try again — nothing was charged.
topup-title = ⭐ Top up with Telegram Stars. Choose a pack:
topup-pack = ⭐ { $stars } → { $credits } { $credits ->
        [one] credit
       *[other] credits
    }
topup-invoice-title = { $credits } Aisha { $credits ->
        [one] credit
       *[other] credits
    }
topup-invoice-description = A credit pack for avatar training, image generation and audio transcription.
topup-pack-unknown = This pack is no longer available. Open /topup again.
topup-payment-problem = The payment could not be accepted. Please try again via /topup.
topup-done =
    ✅ Payment received: +{ $credits } (⭐ { $stars }).
    💰 Balance: { $balance }
grant-notice =
    🎁 You received { $credits } credits: { $reason }
    💰 Balance: { $balance }
payment-refunded-notice =
    ↩️ ⭐ { $stars } refunded, { $credits } credits taken back.
    💰 Balance: { $balance }

## Administration
admin-usage =
    Admin commands:
    /admin grant <user id> <credits> <reason>
    /admin balance <user id>
    /admin refund-payment <charge id>
admin-bad-amount = Credits must be a whole number from 1 to 1,000,000.
admin-user-not-found = User { $user } not found.
admin-started = ⏳ Working on it…
admin-granted = ✅ Granted { $credits } to user { $user }. Balance: { $balance }
admin-balance = User { $user }: balance { $balance }
admin-refund-done = ✅ Payment { $charge }: ⭐ { $stars } refunded, { $credits } credits taken back. User's balance: { $balance }
admin-refund-not-found = Payment { $charge } not found.
admin-refund-already-refunded = Payment { $charge } is already refunded.
admin-refund-insufficient = Cannot refund payment { $charge }: the user has { $balance } of the pack's { $credits } credits; some are spent.
admin-refund-failed = Telegram did not refund payment { $charge }: { $error }. The credits were given back (balance { $balance }).
