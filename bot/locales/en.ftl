# Aisha — English

# "{ $n } { CREDITS($n) }" is "5 кредитов", "2 кредита", "1 кредит" / "1 credit", "5 credits" (lib/i18n.ts).

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
unhandled-callback = This button no longer works.
private-only = 🔒 Balance, images, avatars and transcripts live only in your private chat with me.
button-open-private = Open the private chat
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
    🎁 You received { $credits } { CREDITS($credits) }: { $reason }
    💰 Balance: { $balance }
payment-refunded-notice =
    ↩️ ⭐ { $stars } refunded, { $credits } { CREDITS($credits) } taken back.
    💰 Balance: { $balance }

## Administration
admin-usage =
    Admin commands:
    /admin — stats (/admin stats <yyyy-mm-dd> — as of the end of that UTC day)
    /admin user <user id>
    /admin refund <job id>
    /admin retry <job id>
    /admin grant <user id> <credits> <reason>
    /admin balance <user id>
    /admin refund-payment <charge id>
admin-bad-amount = Credits must be a whole number from 1 to 1,000,000.
admin-user-not-found = User { $user } not found.
admin-started = ⏳ Working on it…
admin-granted = ✅ Granted { $credits } to user { $user }. Balance: { $balance }
admin-balance = User { $user }: balance { $balance }
admin-refund-done = ✅ Payment { $charge }: ⭐ { $stars } refunded, { $credits } { CREDITS($credits) } taken back. User's balance: { $balance }
admin-refund-not-found = Payment { $charge } not found.
admin-refund-already-refunded = Payment { $charge } is already refunded.
admin-refund-insufficient = Cannot refund payment { $charge }: the user has { $balance } of the pack's { $credits } { CREDITS($credits) }; some are spent.
admin-refund-failed = Telegram did not refund payment { $charge }: { $error }. The credits were given back (balance { $balance }).

## Avatars
avatar-list-title = 🧑‍🎨 Your avatars:
avatar-list-empty = You have no avatars yet. Create your first one — it takes 10–20 photos.
avatar-list-item = { $main ->
        [yes] ⭐
       *[no] •
    } { $name } — { $status }
avatar-create-button = ➕ Create an avatar
avatar-status-COLLECTING_PHOTOS = collecting photos
avatar-status-READY = ready to train
avatar-status-CHARGED = starting
avatar-status-TRAINING = training
avatar-status-COMPLETED = ready
avatar-status-FAILED = failed
avatar-status-CANCELLED = cancelled
avatar-choose-type =
    What kind of avatar?

    👤 Portrait — your face in any look and scene. Needs photos where your face is clearly visible.
    🎨 Style — a recognisable manner, look or whole character.
avatar-type-portrait = 👤 Portrait
avatar-type-style = 🎨 Style
avatar-ask-name = What shall we call it? Send a name (up to 40 characters). /cancel to stop.
avatar-bad-name = A name is 1 to 40 characters on one line. Please try again.
avatar-intro =
    Avatar “{ $name }” created. Send { $min } to { $max } photos (albums work):
    • only you in each photo, face clearly visible;
    • no sunglasses, nothing covering the face;
    • different angles, light and backgrounds.
# $replies: yes — each rejected photo got a reply with its reason.
avatar-photos-status = 📸 “{ $name }”: { $accepted } of { $min }–{ $max } accepted · { $rejected } rejected{ $replies ->
        [yes] { $rejected ->
            [0] {""}
           *[other] {" "}(see the replies under the photos)
        }
       *[no] {""}
    }
avatar-photos-more = Send { $more } more.
avatar-photos-ready = Ready to train — it costs { $price } { CREDITS($price) }. More photos improve the result.
avatar-start-button = 🚀 Start training ({ $price } { CREDITS($price) })
avatar-cancel-button = ✖️ Cancel
photo-reject-not_image = ❌ { $n } — not an image (JPEG, PNG or WebP needed)
photo-reject-too_large = ❌ { $n } — larger than 20 MB
photo-reject-too_small = ❌ { $n } — too small (short side under 512 px)
photo-reject-download_failed = ❌ { $n } — could not be downloaded, please send again
photo-reject-no_face = ❌ { $n } — no face found
photo-reject-many_faces = ❌ { $n } — more than one face
photo-reject-blurred = ❌ { $n } — blurred
photo-reject-occluded = ❌ { $n } — face covered (glasses, mask, hand)
photo-reject-explicit = ❌ { $n } — content not allowed
photo-reject-duplicate = ❌ { $n } — a repeat of a photo already sent
photo-reject-too_many = ❌ { $n } — over the photo limit
photo-reject-unknown = ❌ { $n } — not suitable
# The reply under one rejected photo. $reason: as in photo-reject-*.
photo-rejected = ❌ This photo won't do: { $reason ->
        [not_image] it is not an image (JPEG, PNG or WebP, please).
        [too_large] the file is over 20 MB.
        [too_small] it is too small — the short side is under 512 pixels.
        [download_failed] it could not be downloaded; please send it again.
        [no_face] no face found.
        [many_faces] there are several faces; only yours, please.
        [blurred] it is blurred.
        [occluded] the face is covered (glasses, a mask, a hand).
        [explicit] the content is not allowed.
        [duplicate] it repeats a photo you already sent.
        [too_many] the maximum number of photos is reached.
       *[other] it did not pass the check.
    }
# $percent: FAL's progress; $elapsed: minutes so far; $left: estimated minutes left; $queue: place in FAL's queue (0 — not queued).
avatar-training = ⏳ Training “{ $name }” · { $queue ->
        [0] { $percent }%
       *[other] queued, place { $queue }
    } · { $elapsed } min so far · ~{ $left } min left
    I'll send a new message when the avatar is ready.
avatar-ready = ✅ Avatar “{ $name }” is ready! Make it your main one in /avatar.
avatar-ready-main = ✅ Avatar “{ $name }” is ready and set as your main avatar!
avatar-failed = 😔 Training “{ $name }” failed. { $refunded } { CREDITS($refunded) } returned to your balance.
avatar-fail-fal_error = The training service reported an error.
avatar-fail-deadline = Training took too long and was stopped.
avatar-fail-internal = An internal error; we're on it.
avatar-cancelled = Avatar “{ $name }” cancelled. { $refunded ->
        [0] Nothing was charged.
       *[other] { $refunded } { CREDITS($refunded) } returned to your balance.
    }
avatar-draft-expired = The draft avatar “{ $name }” was removed after a day without new photos. Nothing was charged.
avatar-not-found = Avatar not found.
avatar-main-set = ⭐ “{ $name }” is now your main avatar.
avatar-main-not-ready = Only a ready avatar can be the main one.
avatar-rename-ask = New name for “{ $name }”? /cancel to stop.
avatar-renamed = Done: “{ $name }”.
avatar-delete-confirm = Delete avatar “{ $name }” and its photos? If it is training, training stops and the credits come back.
avatar-delete-yes = 🗑 Delete
avatar-deleted = Avatar “{ $name }” deleted.
button-main = ⭐ Main
button-rename = ✏️ Name
button-delete = 🗑
cancelled = Cancelled.
nothing-to-cancel = Nothing to cancel.
cancel-which = Which one should I cancel? Anything not delivered will be refunded.
cancel-sent = { $kind ->
        [avatar_training] Cancelling the avatar…
        [generation] Cancelling the image generation…
       *[transcription] Cancelling the transcription…
    } Anything not delivered will be refunded.

## Image generation: delivery, buttons, prompt
# $mode: AVATAR | IMAGEN4; $prompt: an excerpt of the prompt (≤ 200 chars); $count: how many images.
gen-caption =
    { $mode ->
        [AVATAR] 🧑‍🎨 With your avatar
       *[IMAGEN4] 🎨 Imagen 4
    } · { $count } { $count ->
        [one] image
       *[other] images
    }
    “{ $prompt }”
gen-buttons-title = 👆 Buttons for the album's images, by number, left to right: ⭐ favourite · 🔁 again · 📝 prompt
# $n: the image's number in the album; 0 when there is one image (full label).
# $on: yes — already a favourite (the button shows the state).
button-favorite = { $on ->
        [yes] { $n ->
            [0] ⭐ In favourites
           *[other] ⭐ { $n }
        }
       *[no] { $n ->
            [0] ☆ Add to favourites
           *[other] ☆ { $n }
        }
    }
button-again = { $n ->
        [0] 🔁 Again
       *[other] 🔁 { $n }
    }
button-prompt = { $n ->
        [0] 📝 Prompt
       *[other] 📝 { $n }
    }
# $enhanced and $score: the string "none" when there is no value.
image-prompt-view =
    📝 Your prompt:
    { $prompt }

    { $enhanced ->
        [none] ✨ The model got your prompt unchanged.
       *[other]
            ✨ Enhanced prompt (what the model got):
            { $enhanced }
    }

    { $score ->
        [none] 🏅 Quality score: none
       *[other] 🏅 Quality score: { $score } out of 10
    }

## Generation: start and outcome
gen-need-prompt =
    Tell me what to draw, for example:
    /imagen an astronaut cat in a neon city
    /generate me on a mountain top at sunrise (with your main avatar)
    Or send a photo captioned /generate — I'll draw in its spirit.
gen-prompt-too-long = The request is too long: { $max } characters at most.
gen-no-avatar = /generate needs a ready main avatar — create one in /avatar. Without an avatar, use /imagen.
gen-options =
    { $mode ->
        [avatar] 🧑‍🎨 With avatar “{ $avatar }”
       *[imagen] 🖼 Imagen 4
    }
    📝 { $prompt }

    Choose the format and how many. Price: { $price } per image, { $total } in total.
# After Create: what was chosen. $mode: avatar | imagen; $ratio: "3:4".
gen-options-chosen =
    { $mode ->
        [avatar] 🧑‍🎨 With avatar “{ $avatar }”
       *[imagen] 🖼 Imagen 4
    }
    📝 { $prompt }

    ✅ { $ratio } · { $count } { $count ->
        [one] image
       *[other] images
    } · { $total } { CREDITS($total) }
gen-go-button = 🎨 Create — { $total } { CREDITS($total) }
gen-offer-stale = These options are out of date — start again: /imagen or /generate.
gen-offer-changed = The offer has changed. The current price is below; nothing was charged.
gen-options-not-updated = Could not update the options — nothing changed. Please press again.
# $seconds: what a generation usually takes, as observed (0 — not known).
gen-working = 🎨 Creating { $count ->
        [one] your image
       *[other] your images
    }… { $seconds ->
        [0] Usually under a minute.
       *[other] Usually ~{ $seconds } s. ✖️ stops it and returns the credits.
    }
gen-partial = ⚠️ { $delivered } of { $requested } made it: the rest failed or did not pass the checks. { $refunded } { CREDITS($refunded) } returned.
gen-failed = 😔 The image could not be created. { $refunded } { CREDITS($refunded) } returned to your balance.
gen-cancelled = Generation cancelled. { $refunded } { CREDITS($refunded) } returned to your balance.
image-not-found = Image not found.
favorite-on = ⭐ Added to favourites
favorite-off = Removed from favourites
avatar-generate-button = 🎨 Create an image
# $mode: avatar | imagen.
gen-ask-prompt = { $mode ->
        [avatar] 🧑‍🎨 What shall I draw with your avatar? Describe the scene in one message.
       *[imagen] 🖼 What shall Imagen 4 draw? Describe the picture in one message.
    } /cancel to stop.

## Money before work, conversation state
# $enough: yes | no.
avatar-price-note = 💳 Training costs { $price } { CREDITS($price) }; your balance is { $balance }. { $enough ->
        [yes] Credits are charged only when the training starts.
       *[no] That is not enough — top up now so you don't wait after sending the photos.
    }
insufficient-funds-waiting =
    💳 Not enough credits: { $required } needed, { $balance } on your balance. Nothing was charged.
    Top up — after the payment a “▶ Continue” button appears.
# $kind: avatar-start | generation.
continue-offer = ✅ You have enough credits now (balance { $balance }). { $kind ->
        [avatar-start] Continue the avatar training for { $price } { CREDITS($price) }?
       *[generation] Continue creating the images for { $price } { CREDITS($price) }?
    }
continue-button = ▶ Continue
continue-nothing = Nothing to continue — please start again.
unknown-command = There is no such command. What I can do: /help.
waiting-avatar-photos = 📸 I'm waiting for your avatar's photos: send them (albums work), then press 🚀 in the message with the counter. /cancel drops the avatar.
text-outside-flow = 🎨 Shall I draw this?
# $price: credits per image.
text-use-imagen = 🖼 Imagen 4 · { $price } { CREDITS($price) } per image
text-use-avatar = 🧑‍🎨 With my avatar · { $price } { CREDITS($price) } per image
# $name: the file's name or type.
unsupported-document = 📄 I can't open “{ $name }”. For an avatar I need photos (JPEG, PNG, WebP); for a transcript, a voice note, audio or video. What I can do: /help.
unsupported-message = 🤷 I can't do anything with this kind of message. Send text, a photo, a voice note or audio — or open /help.
photo-outside-flow = 📷 What shall I do with this photo?
photo-use-avatar = 🧑‍🎨 Create an avatar (10–20 photos needed)
photo-use-imagen = 🖼 Draw something like it (Imagen 4)
photo-use-avatar-gen = 🎨 Draw something like it with my avatar
# $mode: avatar | imagen.
gen-ask-prompt-reference = { $mode ->
        [avatar] 🧑‍🎨 I'll draw with your avatar in the spirit of this photo.
       *[imagen] 🖼 I'll draw in the spirit of this photo with Imagen 4.
    } Describe in one message what to change or add. /cancel to stop.

## Transcription
tr-checking = 🎧 Got it. Checking the recording…
# $reason: too_large | unavailable | not_audio | too_short | too_long | link_too_large | link_unavailable | bad_link | private_address | web_page; $max: the longest recording in minutes.
tr-rejected = { $reason ->
        [too_large] 📦 This file is larger than the 20 MB Telegram lets bots download. Send a shorter or more compressed recording (voice notes and MP3/OGG work best).
        [unavailable] 😔 Telegram did not give me this file. Please send it again.
        [too_short] 🤏 This recording is too short to transcribe.
        [too_long] ⏱ Recordings up to { $max } minutes can be transcribed. Split this one into parts.
        [link_too_large] 📦 The file behind the link is over 2 GB.
        [link_unavailable] 😔 The file could not be downloaded from the link (no answer, or no such file). Check that it opens without signing in.
        [bad_link] 🔗 This is not a direct link to a file (an http(s) link without a password, at most three redirects).
        [private_address] 🔒 I don't open links to internal addresses (localhost, home and service networks).
        [web_page] 🌐 The link leads to a web page, not a file. I need a direct link to the audio or video (usually the “Download” button).
       *[not_audio] 🚫 I can't read this file as audio: it is damaged or not a recording. Send a voice note or an audio file (MP3, OGG, M4A, WAV, FLAC…).
    } Nothing was charged.
# $duration: "1:02:03"; $minutes: started minutes; $price: credits.
tr-quote = 🎧 Recording { $duration } · { $minutes } min · { $price } { CREDITS($price) }.
tr-quote-expired = The transcription was not confirmed in time. Nothing was charged — send the recording again whenever you like.
button-tr-confirm = ✅ Transcribe — { $price } { CREDITS($price) }
button-tr-cancel = ✖️ Cancel
tr-confirmed = Transcribing { $duration }…
tr-cancelled-free = Transcription cancelled. Nothing was charged.
tr-not-started = Transcription not started.
tr-cancelled = Transcription cancelled. { $refunded } { CREDITS($refunded) } returned to your balance.
# $done, $total: chunks; $left: estimated minutes left.
tr-progress = 📝 Transcribing: part { $done }/{ $total } · ~{ $left } min left
tr-done = ✅ Transcript ready. Charged: { $price } { CREDITS($price) }.
# $reason: no_speech | deadline | other.
tr-failed = { $reason ->
        [no_speech] 🔇 No speech was recognised in this recording.
        [deadline] ⏱ The transcription took too long and was stopped.
       *[other] 😔 The transcription failed.
    } { $refunded } { CREDITS($refunded) } returned to your balance.
# $duration: "1:02:03".
tr-result-header = 📝 Transcript · { $duration }
# A speaker's label in transcripts with speaker labels.
tr-speaker = Speaker { $n }
tr-result-files = 📎 The full text and subtitles with timestamps are in the files below.
# $paid, $refunded: credits; $gaps: how many parts failed.
tr-partial = ⚠️ The transcript is ready, but { $gaps ->
        [one] one part of the recording
       *[other] { $gaps } parts of the recording
    } could not be recognised — the gaps are marked in the text. Charged { $paid } { CREDITS($paid) }; { $refunded } { CREDITS($refunded) } for the gaps returned.
# A failed part inside a transcript. $from, $to: "12:00".
tr-gap = [not recognised: { $from } – { $to }]
tr-not-found = Transcription not found or already finished.

## Gallery
# $page, $total: strings ("3", "57"); $kind: AVATAR | IMAGEN4; $avatar: the avatar's name or "none"; $favorite: yes | no; $date: "12.03.2026"; $prompt: a prompt excerpt.
gallery-caption =
    🖼 Gallery · { $page } of { $total }
    { $kind ->
        [AVATAR] 🧑‍🎨 { $avatar ->
            [none] With an avatar
           *[other] Avatar “{ $avatar }”
        }
       *[IMAGEN4] 🎨 Imagen 4
    } · { $date }{ $favorite ->
        [yes] {" "}· ⭐ favourite
       *[no] {""}
    }
    “{ $prompt }”
gallery-prev = ←
gallery-next = →
gallery-counter = { $page }/{ $total }
gallery-star-add = ☆ Favourite
gallery-star-remove = ⭐ Unfavourite
gallery-delete-button = 🗑 Delete
# $kind: all | AVATAR | IMAGEN4; $count: how many images the button leads to.
gallery-filter-kind = { $kind ->
        [AVATAR] 🧑‍🎨 Avatar
        [IMAGEN4] 🎨 Imagen 4
       *[all] 🖼 All
    } · { $count }
# $period: all | today | week | month.
gallery-filter-period = { $period ->
        [today] Today
        [week] 7 days
        [month] 30 days
       *[all] All time
    }
gallery-filter-favorites = ⭐ Favourites only · { $count }
# The mark of the chosen option on its button (a filter, the language).
button-chosen = ✓ { $label }
gallery-transcripts-button = 🎧 Transcripts
gallery-reset-button = ↺ Reset filters
gallery-create-button = 🎨 Create an image
gallery-empty =
    🖼 Your gallery is empty for now.
    Every image you create will be here, with filters, favourites and paging. Create the first one with /imagen or /generate.
gallery-empty-filter =
    🔍 Nothing matches these filters (the whole gallery: { $everything }).
    Change the filters with the buttons below or reset them.
gallery-delete-confirm = 🗑 Delete this image from your gallery? It cannot be brought back.
gallery-delete-yes = 🗑 Yes, delete
gallery-delete-no = ↩️ No
gallery-deleted = 🗑 Image deleted
gallery-transcripts-title = 🎧 Your recent transcripts — get their files again:
gallery-transcripts-empty = 🎧 No transcripts yet. Send a voice note or an audio file and I will turn it into text.
# $n: the place in the list (a string); $date: "12.03.2026"; $duration: "1:02:03"; $words: the first words.
gallery-transcript-item = { $n }. { $date } · { $duration } — “{ $words }”
gallery-transcript-txt = 📄 { $n } · .txt
gallery-transcript-srt = 🎬 { $n } · .srt
gallery-transcript-vtt = 🌐 { $n } · .vtt
# $price: 0 when the summary is made already (shown again for free).
gallery-transcript-summary = 📋 { $n } · summary{ $price ->
        [0] {""}
       *[other] {" "}· { $price } cr.
    }
transcript-file-not-found = Transcript file not found.

## Profile
# $main: the main avatar's name or "none"; $minutes: transcribed minutes; $since: "12.03.2026".
profile-text =
    👤 Profile
    💰 Balance: { $balance } { $balance ->
        [one] credit
       *[other] credits
    }
    🧑‍🎨 Avatars: { $avatars }{ $main ->
        [none] {""}
       *[other] {" "}· main “{ $main }”
    }
    🖼 Images: { $images } (with an avatar — { $avatarImages }, Imagen 4 — { $imagenImages }) · ⭐ { $favorites }
    🎧 Transcripts: { $transcripts } · { $minutes } min
    📅 Member since { $since }
    🌐 Language: English
    🕒 Time zone: { $zone }
profile-gallery-button = 🖼 Gallery
profile-language-button = 🌐 Язык · Language
lang-choose = 🌐 Выберите язык · Choose your language
lang-ru = 🇷🇺 Русский
lang-en = 🇬🇧 English
lang-set = ✅ Language: English. Commands and messages are in English now.

## Help, menus, limits, jobs
# Prices are credits from the configuration.
help =
    ℹ️ What I can do

    🧑‍🎨 /avatar — train your personal AI avatar from 10–20 of your photos: { $avatarPrice } { CREDITS($avatarPrice) }. Then /generate <scene> draws you anywhere: { $avatarImagePrice } { CREDITS($avatarImagePrice) } per image.
    🎨 /imagen <prompt> — images with Google Imagen 4: { $imagenPrice } { CREDITS($imagenPrice) } per image. Send a photo captioned /generate to draw in its spirit.
    🎧 Send a voice note, audio file, video note or audio document — I transcribe it (up to { $maxMinutes } min): { $minutePrice } { CREDITS($minutePrice) } per started minute; text plus .txt and .srt files.
    🖼 /gallery — your images, with filters and favourites; transcripts too.
    ⏳ /jobs — what is running now, with a cancel button.
    💰 /balance, /topup — credits and top-ups with Telegram Stars.
    👤 /profile, /lang — your profile, the language and the time zone.
    ✖️ /cancel — stop the current step or job: anything not delivered is refunded.

    You only pay for what you get: a failed or cancelled job returns its credits.
menu-start = Start
menu-help = What I can do and prices
menu-avatar = Your avatars
menu-generate = Image with your avatar
menu-imagen = Image with Imagen 4
menu-gallery = Your gallery
menu-jobs = Running jobs
menu-balance = Balance and history
menu-topup = Top up with Stars
menu-profile = Profile
menu-lang = Language
menu-cancel = Cancel the current step
rate-limited = ✋ Too many messages at once. Wait a few seconds and try again.
# $kind: avatar_training | generation | transcription; $limit: how many may run at once.
job-limit = { $kind ->
        [avatar_training] ⏳ An avatar is already training. Wait for it to finish — /jobs shows it.
        [generation] ⏳ { $limit } images are already being created. Wait for one to finish — /jobs shows them.
       *[transcription] ⏳ { $limit } recordings are already being transcribed. Wait for one to finish — /jobs shows them.
    }
jobs-title = ⏳ Running now:
jobs-empty = Nothing is running now.
# $n: number in the list; $kind: avatar_training | generation | transcription; $stage: job-stage; $elapsed: how long it runs (elapsed).
jobs-line = { $n }. { $kind ->
        [avatar_training] 🧑‍🎨 Avatar
        [generation] 🎨 Images
       *[transcription] 🎧 Transcription
    } · { $stage } · ⏱ { $elapsed }
button-job-cancel = ✖️ Cancel { $n }
job-not-found = Job not found or already finished.
# A job whose workflow ended without finishing (an operator stopped it), told by its billing at the deadline. $kind: generation | avatar | transcription | summary.
job-ended-refunded = ⚠️ { $kind ->
        [generation] Your image generation
        [avatar] Your avatar training
        [summary] Your transcript summary
       *[transcription] Your transcription
    } was stopped without a result. { $refunded } { CREDITS($refunded) } returned to your balance.
job-cancel-sent = Cancelling… Anything not delivered will be refunded.

## Menu, history, time zones
main-menu-avatars = 🧑‍🎨 Avatars
main-menu-create = 🎨 Create an image
main-menu-transcribe = 🎧 Transcribe
main-menu-gallery = 🖼 Gallery
main-menu-balance = 💰 Balance
# Prices are credits from the configuration.
create-choose =
    🎨 How shall we create the image?

    🧑‍🎨 With an avatar — you in any scene; needs a ready main avatar: { $avatarImagePrice } { CREDITS($avatarImagePrice) } per image.
    🖼 Imagen 4 — any picture from a description: { $imagenPrice } { CREDITS($imagenPrice) } per image.
button-create-avatar = 🧑‍🎨 With an avatar
button-create-imagen = 🖼 Imagen 4
# $price: credits per started minute; $max: the longest recording in minutes.
transcribe-help =
    🎧 Send a voice note, an audio file or a video note — I turn the speech into text.

    💳 { $price } { CREDITS($price) } per started minute, recordings up to { $max } min. For a long recording I quote the price first and ask you to confirm; the text comes as a message plus .txt and .srt files.

    📤 Files over 20 MB (up to 2 GB) go through the upload page: /upload.
# The /balance history. $count: images; $mode: AVATAR | IMAGEN4; $avatar: the avatar's name or "none".
history-generation = { $mode ->
        [AVATAR] { $avatar ->
            [none] With an avatar
           *[other] With avatar “{ $avatar }”
        }
       *[IMAGEN4] Imagen 4
    } · { $count } { $count ->
        [one] image
       *[other] images
    }
history-avatar = Avatar “{ $name }” · training
# $minutes: started minutes (0: unknown).
history-transcription = Transcription{ $minutes ->
        [0] {""}
       *[other] {" "}· { $minutes } min
    }
# A job whose own row is gone. $kind: generation | avatar | transcription.
history-job = { $kind ->
        [generation] Images
        [avatar] Avatar training
        [summary] Transcript summary
       *[transcription] Transcription
    }
# $job: one of the history-* descriptions above.
history-charge = { $kind ->
        [generation] 🎨
        [avatar] 🧑‍🎨
        [summary] 📋
       *[transcription] 🎧
    } { $job }
history-refund = ↩️ Refund · { $job }
history-summary = Transcript summary
history-welcome = 🎁 Welcome gift
# $reason: the administrator's reason, or "none".
history-grant = 🎁 Grant{ $reason ->
        [none] {""}
       *[other] {" "}· { $reason }
    }
history-stars-refund = ⭐ Stars refunded
history-stars-refund-reverted = ⭐ Stars refund did not go through
# /jobs. $hours, $minutes: how long the job has been running.
elapsed = { $hours ->
        [0] { $minutes ->
            [0] under a minute
           *[other] { $minutes } min
        }
       *[other] { $hours } h{ $minutes ->
            [0] {""}
           *[other] {" "}{ $minutes } min
        }
    }
# $stage: the job's JobStatus search attribute; $kind: avatar_training | generation | transcription.
# An avatar's workflow keeps the bot's "running" until its first change of stage: it is collecting photos.
job-stage = { $stage ->
        [running] { $kind ->
            [avatar_training] collecting photos
           *[other] starting
        }
        [collecting_photos] collecting photos
        [ready] ready to train
        [charged] paid, starting
        [training] training
        [charging] charging credits
        [preparing] preparing the prompt
        [generating] drawing
        [checking] { $kind ->
            [generation] checking quality
           *[other] checking the recording
        }
        [delivering] sending the result
        [awaiting_confirmation] waiting for your confirmation
        [transcribing] transcribing
        [completed] done
        [partial] partly done
        [failed] failed
        [cancelled] cancelling
        [rejected] rejected
        [insufficient] not enough credits
       *[other] in progress
    }
button-jobs-refresh = 🔄 Refresh
jobs-refreshed = 🔄 Refreshed
# Time zones (lib/time-zone.ts). $id: a TIME_ZONES id; $zone: its IANA name (shown for any other zone).
time-zone-city = { $id ->
        [new_york] New York
        [utc] Coordinated Universal Time
        [london] London
        [berlin] Berlin
        [kaliningrad] Kaliningrad
        [moscow] Moscow
        [samara] Samara
        [yekaterinburg] Yekaterinburg
        [omsk] Omsk
        [novosibirsk] Novosibirsk
        [irkutsk] Irkutsk
        [vladivostok] Vladivostok
       *[other] { $zone }
    }
# $city: time-zone-city; $offset: "UTC+3".
time-zone-label = { $city } · { $offset }
profile-time-zone-button = 🕒 Time zone
# $on: yes | no.
profile-speakers-button = 🗣 Speakers: { $on ->
        [yes] on
       *[no] off
    }
profile-speakers-set = { $on ->
        [yes] 🗣 Transcripts will label speakers: "Speaker 1: …".
       *[no] Transcripts will not label speakers.
    }
# $zone: time-zone-label of the current zone.
time-zone-choose =
    🕒 Time zone: { $zone }
    I show times in /balance, /jobs, your profile and the gallery in it. Choose yours:
time-zone-set = ✅ Time zone: { $zone }

## Admin stats
admin-stats-title = 📊 Stats for { $day } (UTC)
admin-stats-users = 👥 Users: { $total } · new today { $new } · active today { $active } · in 7 days { $week }
admin-stats-retention-title = 🔁 Retention (active on exactly day N after signup):
admin-stats-retention = D{ $n }: { $retained } of { $cohort } ({ $percent }%)
admin-stats-retention-empty = D{ $n }: no cohort yet
admin-stats-jobs-title = ⚙️ Jobs today:
# $kind: avatar_training | generation | transcription; $statuses: "completed 3, failed 1"
admin-stats-jobs = { $kind ->
        [avatar_training] 🧑‍🎨 Avatars
        [generation] 🎨 Images
       *[transcription] 🎧 Transcriptions
    }: { $total } ({ $statuses })
admin-stats-credits = 💳 Credits today: charged { $charged } · refunded { $refunded }
admin-stats-failures-title = ❌ Top failure reasons, 7 days:
admin-stats-failure = { $count } × { $kind } · { $reason }
admin-stats-failures-none = ❌ No failures in 7 days.
admin-user-title = 👤 User { $user } · { $name }
admin-user-profile = 💰 Balance { $balance } · language { $language } · since { $since } · last seen { $seen } UTC
admin-user-counts = 🧑‍🎨 Avatars { $avatars } · 🖼 Images { $images } · 🎧 Transcripts { $transcripts }
admin-user-jobs-title = ⚙️ Latest jobs:
admin-user-job = { $created } · { $kind } · { $status } · { $job }
admin-user-jobs-none = ⚙️ No jobs yet.
admin-user-failures-title = ❌ Last failures:
admin-user-failure = { $job }: { $reason }
admin-job-bad-id = Give a job id: gen-…, tr-… or avatar-… (as /admin user shows them).
admin-job-not-found = Job { $job } not found (or its history is no longer kept).
admin-refund-cancel-sent = ⏹ { $job } is still running: cancel sent. Its billing refunds whatever was not delivered.
admin-refund-settle-sent = ↩️ { $job } has ended but its billing was still waiting: settled as nothing delivered, everything charged comes back.
admin-job-refunded = ↩️ { $job }: refunded { $credits } (charged { $charged }, refunded before { $before }). Balance of user { $user }: { $balance }
admin-job-nothing-left = { $job }: nothing left to refund (charged { $charged }, refunded { $refunded }).
job-refunded-notice =
    ↩️ { $credits ->
        [one] { $credits } credit was
       *[other] { $credits } { CREDITS($credits) } were
    } returned to you for an unfinished job.
    💰 Balance: { $balance }
admin-retry-poll-sent = ⚡ { $job } is waiting on FAL: asked it to check FAL's status now.
admin-retry-running = { $job } is running (stage { $stage }) and not waiting on FAL: nothing to retry.
admin-retry-started = 🔁 { $job } started again as { $newJob }: charged again through billing, refunded if it fails.
admin-retry-not-retriable = { $job } ended as { $status }: only a failed or cancelled generation or transcription can be retried.
admin-retry-avatar = { $job }: an admin does not restart avatar training; the user creates a new avatar (a failed one was refunded).
tr-not-started-error = 😔 The recording could not be processed. Nothing was charged — please send it again later.

## Transcript summary (📋 Summary)
button-tr-summary = 📋 Summary — { $price } { CREDITS($price) }
sum-started = 📋 Preparing a summary…
sum-working = 📋 Reading the transcript and writing a summary…
# $title, $points: the summary's title and key points (one "• " line each).
sum-result =
    📋 { $title }

    Key points:
    { $points }
# $actions: the action items, one "• " line each (only when there are any).
sum-result-actions =
    Action items:
    { $actions }
sum-failed = 😔 The summary could not be written. { $refunded } { CREDITS($refunded) } returned to your balance — please try again later.
# $reason: running | done | missing. Nothing was charged.
sum-not-started = { $reason ->
        [running] 📋 The summary is being prepared — it will arrive here.
        [done] 📋 This transcript's summary is ready — it is above.
       *[missing] Transcript not found. Nothing was charged.
    }
sum-price-changed = The price has changed: it was { $was }, now { $price } { CREDITS($price) }. Nothing was charged — the button is updated, press it again.

## Upload page (a Mini App) for files of any size. $max: "2 ГБ"; $link: a one-time link; $hours: how long it is valid.
upload-offer =
    📤 Files up to { $max } go through the upload page: the button below opens it right in Telegram, and an upload resumes after a dropped connection.
    From a computer's browser: { $link } (one upload, valid for { $hours } h).
button-upload = 📤 Upload a file up to { $max }
