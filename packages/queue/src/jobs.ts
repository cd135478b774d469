import { z } from 'zod';

/** The job catalogue: every queue's name and the only payload it accepts (ids, never personal data). */
export const SURVEY_SEND_QUEUE = 'survey-send';
export const MAINTENANCE_QUEUE = 'kaiku-maintenance';

export const surveySendJobSchema = z.object({ invitationId: z.uuid() }).strict();
export type SurveySendJob = z.infer<typeof surveySendJobSchema>;

export const maintenanceJobSchema = z.object({}).strict();

export const JOB_CATALOGUE = {
  [SURVEY_SEND_QUEUE]: surveySendJobSchema,
  [MAINTENANCE_QUEUE]: maintenanceJobSchema,
} as const;
export type QueueName = keyof typeof JOB_CATALOGUE;
