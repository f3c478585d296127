// Every workflow type the worker registers (the worker's `workflowsPath`).
export { onboardingWorkflow } from './onboarding';
export { billingWorkflow } from './billing';
export { topUpWorkflow } from './topup';
export { adminGrantWorkflow, adminRefundWorkflow, refundPaymentWorkflow } from './admin';
export { avatarTrainingWorkflow } from './avatar-training';
export { deleteAvatarWorkflow } from './avatar-delete';
export { generationWorkflow } from './generation';
export { transcriptionWorkflow } from './transcription';
export { summaryWorkflow } from './summary';
export { cleanupWorkflow } from './cleanup';
