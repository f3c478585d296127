import { describe, expect, it } from 'vitest';
import { isServiceOutage } from '../../lib/outage';

const named = (name: string, message: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(message), { name }, extra);

describe('isServiceOutage (lib/outage.ts): worth delivering again later, not worth an apology', () => {
  it('knows the outages the chaos drill met, and their causes', () => {
    // PostgreSQL restarting, as Prisma and its pg adapter report it
    expect(isServiceOutage(named('PrismaClientKnownRequestError', "Invalid `prisma.user.findUnique()` invocation:\nCan't reach database server at 127.0.0.1:54329", { code: 'P1001' }))).toBe(true);
    expect(isServiceOutage(named('DriverAdapterError', 'the database system is shutting down'))).toBe(true);
    expect(isServiceOutage(named('PrismaClientKnownRequestError', 'query failed', { cause: { kind: 'postgres', code: '57P01', message: 'terminating' } }))).toBe(true);
    // Redis gone (ioredis gives up on a command)
    expect(isServiceOutage(named('MaxRetriesPerRequestError', 'Reached the max retries per request limit (which is 3).'))).toBe(true);
    // the Temporal server restarting: gRPC UNAVAILABLE under the client's ServiceError
    expect(isServiceOutage(named('ServiceError', 'Failed to start Workflow', { cause: Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14, details: 'No connection established' }) }))).toBe(true);
    // a refused connection anywhere below
    expect(isServiceOutage(new Error('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9000'), { code: 'ECONNREFUSED' }) }))).toBe(true);
  });

  it('leaves bugs and refusals alone: those get the apology', () => {
    expect(isServiceOutage(new Error('boom'))).toBe(false);
    expect(isServiceOutage(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(false);
    expect(isServiceOutage(named('PrismaClientKnownRequestError', 'Unique constraint failed', { code: 'P2002' }))).toBe(false);
    expect(isServiceOutage(named('GrammyError', "Call to 'sendMessage' failed! (400: Bad Request: message is too long)", { error_code: 400 }))).toBe(false);
    expect(isServiceOutage(named('ServiceError', 'Workflow execution already started', { cause: Object.assign(new Error('6 ALREADY_EXISTS'), { code: 6, details: 'exists' }) }))).toBe(false);
    expect(isServiceOutage(null)).toBe(false);
    expect(isServiceOutage('ECONNREFUSED')).toBe(false);
  });
});
