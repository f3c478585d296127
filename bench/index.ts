import { billingBench } from './billing';
import { botBench } from './bot';
import { falWebhookBench } from './fal-webhooks';
import { generationBench } from './generation';
import { ledgerBench } from './ledger';
import { transcriptionBench } from './transcription';
import { waitingBench } from './waiting';

/** In the order `npm run bench` runs them (issue 18's P1–P7 across them). */
export const benches: Record<string, () => Promise<void>> = {
  ledger: ledgerBench,
  billing: billingBench, // P6
  generation: generationBench, // P1, P2, P2b, P2c
  transcription: transcriptionBench, // P3 (and P2c for a transcription)
  'fal-webhooks': () => falWebhookBench(), // P4
  waiting: waitingBench, // P5
  bot: botBench, // P7
};
