import { sendProblem } from '@kaiku/http';
import type { FastifyInstance } from 'fastify';
import { type FaultStore, faultRulesSchema } from './faults.ts';

/** `POST /sim/faults` (one rule or a list), `GET /sim/faults`, `DELETE /sim/faults`, `POST /sim/faults/release`. */
export function registerFaultRoutes(app: FastifyInstance, faults: FaultStore) {
  app.post('/sim/faults', async (request, reply) => {
    const parsed = faultRulesSchema.safeParse(request.body);
    if (!parsed.success) {
      return sendProblem(
        reply,
        400,
        'Invalid fault',
        parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '),
      );
    }
    return reply.code(201).send({ ids: faults.add(parsed.data) });
  });

  app.get('/sim/faults', async () => faults.list());

  /** Clears every rule and lets held requests answer. */
  app.delete('/sim/faults', async (_request, reply) => {
    faults.clear();
    return reply.code(204).send();
  });

  /** Lets the requests held by `hold` answer now. */
  app.post('/sim/faults/release', async () => ({ released: faults.release() }));
}
