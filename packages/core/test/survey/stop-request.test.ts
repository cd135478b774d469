import { describe, expect, it } from 'vitest';
import { withoutStopRequest } from '../../src/survey/stop-request.ts';

describe('withoutStopRequest: a request to stop beside the score', () => {
  it('cuts the request out and keeps the score and a reason beside it', () => {
    expect(withoutStopRequest('8 ja lopettakaa viestit')).toBe('8');
    expect(withoutStopRequest('Lopeta. 8')).toBe('8');
    expect(withoutStopRequest('8 hyvä palvelu, mutta älkää lähettäkö enää viestejä')).toBe('8 hyvä palvelu');
    expect(withoutStopRequest('9, please stop texting me')).toBe('9');
    expect(withoutStopRequest('STOP 8')).toBe('8');
    expect(withoutStopRequest('8 sluta skicka')).toBe('8');
    expect(withoutStopRequest('Kymppi, lopeta nyt nämä viestit')).toBe('Kymppi');
  });
  it('finds none where no piece would be a request on its own', () => {
    for (const text of [
      '8 hyvä palvelu',
      'The nurse said stop, 9',
      'Lopetin lääkkeen, 8',
      '10 stopped the pain',
      '7 slutar aldrig att imponera',
    ])
      expect(withoutStopRequest(text), text).toBeNull();
  });
});
