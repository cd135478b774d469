import type { Pool } from '@kaiku/db';
import { zodProblem } from '@kaiku/http';
import type { FastifyInstance } from 'fastify';
import { npsReport } from '../reports/nps.report.ts';
import { reportQuerySchema } from '../reports/report-query.ts';

export function registerReportRoutes(app: FastifyInstance, deps: { pool: Pool; minN: number }) {
  app.get('/v1/reports/nps', async (request) => {
    const q = reportQuerySchema.safeParse(request.query);
    if (!q.success) throw zodProblem(q.error, 'Invalid report query');
    return npsReport(deps.pool, q.data, deps.minN);
  });
}
