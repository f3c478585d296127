// Every workflow type the worker registers (the worker's `workflowsPath`).
export { onboardingWorkflow } from './onboarding';
