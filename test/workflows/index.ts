// The worker bundle for tests: every production workflow plus test-only parents.
export * from '../../workflows';
export { paidJobWorkflow } from './paid-job';
