import { z } from 'zod';

/** A language code as the record systems send it (ISO 639-1 or similar); mapped later. */
const languageCode = z.string().trim().min(1).max(35);

export const visitEventSchema = z
  .object({
    source: z
      .string()
      .trim()
      .min(1)
      .max(64)
      .regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
    sourceEventId: z.string().trim().min(1).max(128).optional(),
    kind: z.enum(['visit-ended', 'visit-cancelled', 'patient-updated']),
    /** Required except for patient-updated, which may name only the patient (HL7 A31). */
    visitId: z.string().trim().min(1).max(128).optional(),
    endedAt: z.iso.datetime({ offset: true }).optional(),
    unit: z.object({ id: z.string().trim().min(1).max(128), name: z.string().max(200).optional() }),
    service: z.object({ class: z.string().max(64).optional(), type: z.string().max(64).optional() }).optional(),
    patient: z.object({
      personalId: z.string().trim().max(32).optional(),
      birthDate: z.iso.date().optional(),
      mobilePhones: z.array(z.string().max(64)).max(10).default([]),
      languages: z.object({ service: languageCode.optional(), mother: languageCode.optional() }).default({}),
      nonDisclosure: z.boolean().default(false),
      deceased: z.boolean().default(false),
      smsConsent: z.boolean().optional(),
    }),
  })
  .superRefine((event, ctx) => {
    if (event.kind === 'visit-ended' && !event.endedAt) {
      ctx.addIssue({ code: 'custom', path: ['endedAt'], message: 'required when kind is visit-ended' });
    }
    if (event.kind !== 'patient-updated' && !event.visitId) {
      ctx.addIssue({ code: 'custom', path: ['visitId'], message: `required when kind is ${event.kind}` });
    }
    if (event.kind === 'patient-updated' && !event.visitId && !event.patient.personalId) {
      ctx.addIssue({ code: 'custom', path: ['visitId'], message: 'a patient update names the visit, the patient (personalId) or both' });
    }
  });

export type VisitEvent = z.infer<typeof visitEventSchema>;
export type VisitEventInput = z.input<typeof visitEventSchema>;
