import { describe, expect, it } from 'vitest';
import { parseTimestamp } from '../../domain/index.ts';
import { UserError } from '../../shared/index.ts';
import {
  channelOf,
  csatOf,
  durationSecondsOf,
  F,
  GENERIC_FIELDS,
  headerKey,
  idOf,
  matchHeader,
  planColumns,
  publicOf,
  roleOf,
  tagsOf,
  timeOf,
} from './column-mapping.ts';

const fieldOf = (header: string) => {
  const m = matchHeader(header);
  return m ? GENERIC_FIELDS[m.field] : null;
};

describe('header matching', () => {
  it('normalises case, BOM, separators, camelCase and unit suffixes', () => {
    expect(headerKey('\uFEFF Ticket_ID ')).toEqual({ key: 'ticketid', unitSeconds: null });
    expect(headerKey('ticketId').key).toBe('ticketid');
    expect(headerKey('First response time (in hrs)')).toEqual({
      key: 'firstresponsetime',
      unitSeconds: 3600,
    });
    expect(headerKey('First reply time in minutes')).toEqual({ key: 'firstreplytime', unitSeconds: 60 });
    expect(headerKey('handle_time_seconds')).toEqual({ key: 'handletime', unitSeconds: 1 });
    expect(headerKey('Ticket Category [list]')).toEqual({ key: 'ticketcategory', unitSeconds: null });
  });

  it('recognises the Kaggle customer_support_tickets.csv columns', () => {
    expect(fieldOf('Ticket ID')).toBe('externalId');
    expect(fieldOf('Ticket Subject')).toBe('subject');
    expect(fieldOf('Ticket Description')).toBe('body');
    expect(fieldOf('Ticket Status')).toBe('status');
    expect(fieldOf('Ticket Priority')).toBe('priority');
    expect(fieldOf('Ticket Channel')).toBe('channel');
    expect(fieldOf('Ticket Type')).toBe('category');
    expect(fieldOf('Customer Email')).toBe('customerEmail');
    expect(fieldOf('Customer Satisfaction Rating')).toBe('csat');
    // Time stamps despite their names; and `Resolution` is free text.
    expect(fieldOf('First Response Time')).toBe('firstResponseAt');
    expect(fieldOf('Time to Resolution')).toBe('resolvedAt');
    expect(fieldOf('Resolution')).toBeNull();
    expect(fieldOf('Date of Purchase')).toBeNull();
  });

  it('tells durations from time stamps by their unit', () => {
    expect(matchHeader('First response time (in hrs)')).toMatchObject({
      field: F.firstResponseMinutes,
      unitSeconds: 3600,
    });
    expect(matchHeader('Full resolution time in minutes')).toMatchObject({
      field: F.resolutionMinutes,
      unitSeconds: 60,
    });
    expect(matchHeader('resolution_minutes')).toMatchObject({ field: F.resolutionMinutes, unitSeconds: 60 });
    expect(matchHeader('handle_time_seconds')).toMatchObject({ field: F.handleTimeSeconds, unitSeconds: 1 });
    expect(matchHeader('Initial response time')).toMatchObject({ field: F.firstResponseAt, unitSeconds: 0 });
  });

  it('maps every column of the demo generator header', () => {
    const header =
      'ticket_id,subject,channel,status,priority,tags,category,customer_id,customer_email,customer_name,customer_plan,assignee,created_at,first_response_at,resolved_at,closed_at,csat,handle_time_seconds,message_id,author_role,author_id,message_body,message_created_at,message_public'.split(
        ',',
      );
    const plan = planColumns(header, {}, 'demo.csv');
    expect(plan.custom).toEqual([]);
    expect(plan.messagePerRow).toBe(true);
    expect(header.map(fieldOf)).toEqual([
      'externalId',
      'subject',
      'channel',
      'status',
      'priority',
      'tags',
      'category',
      'customerId',
      'customerEmail',
      'customerName',
      'segment',
      'assignee',
      'createdAt',
      'firstResponseAt',
      'resolvedAt',
      'closedAt',
      'csat',
      'handleTimeSeconds',
      'messageId',
      'authorRole',
      'authorId',
      'messageBody',
      'messageCreatedAt',
      'messagePublic',
    ]);
  });
});

describe('planColumns', () => {
  it('prefers the better name when two columns claim a field, keeping the other as a custom field', () => {
    const plan = planColumns(['Ticket ID', 'Type', 'Category', 'Created time'], {}, 'f.csv');
    expect(plan.column[F.category]).toBe(2);
    expect(plan.custom).toEqual([{ index: 1, name: 'Type' }]);
  });

  it('applies --map overrides before recognised names, accepting any spelling of the field', () => {
    const plan = planColumns(
      ['ref', 'Description', 'Notes', 'opened'],
      { external_id: 'ref', body: 'notes' },
      'f.csv',
    );
    expect(plan.column[F.externalId]).toBe(0);
    expect(plan.column[F.body]).toBe(2);
    expect(plan.custom.map((c) => c.name)).toEqual(['Description']);
  });

  it('rejects an unknown field or column in the mapping', () => {
    expect(() => planColumns(['id', 'created'], { colour: 'id' }, 'f.csv')).toThrow(/unknown field "colour"/);
    expect(() => planColumns(['id', 'created'], { subject: 'Title' }, 'f.csv')).toThrow(/no column "Title"/);
  });

  it('throws import.wrong_format naming the missing columns and the flag', () => {
    const error = (() => {
      try {
        planColumns(['foo', 'bar'], {}, 'f.csv');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(UserError);
    expect(error).toMatchObject({ code: 'import.wrong_format', location: { file: 'f.csv' } });
    expect((error as Error).message).toMatch(
      /no column it recognises.*--map externalId=COLUMN --map createdAt=COLUMN/,
    );
  });
});

describe('values', () => {
  it('reads the fast ISO shape exactly as parseTimestamp does', () => {
    for (const s of [
      '2025-01-01T00:00:30.000Z',
      '2025-02-30T10:11:12Z',
      '2024-12-31T23:59:59.1Z',
      '2024-12-31T23:59:59.123456Z',
    ]) {
      expect(timeOf(s)).toBe(parseTimestamp(s));
    }
    expect(timeOf('2025-03-04 09:15:00')).toBe(Date.UTC(2025, 2, 4, 9, 15));
    expect(timeOf('1741100000')).toBe(1741100000000);
    expect(timeOf(1741100000)).toBe(1741100000000);
    expect(timeOf('1969-12-31T00:00:00Z')).toBeNull();
    expect(timeOf('soon')).toBeNull();
  });

  it('normalises CSAT scales', () => {
    expect(csatOf('5')).toEqual({ score: 1, raw: '5' });
    expect(csatOf('3.0')).toEqual({ score: 0.5, raw: '3.0' });
    expect(csatOf(1)).toEqual({ score: 0, raw: '1' });
    expect(csatOf('8')).toEqual({ score: 0.8, raw: '8' });
    expect(csatOf('0')).toEqual({ score: 0, raw: '0' });
    expect(csatOf('Good')).toEqual({ score: 1, raw: 'Good' });
    expect(csatOf('bad')).toEqual({ score: 0, raw: 'bad' });
    expect(csatOf('Offered')).toEqual({ score: null, raw: 'Offered' });
    expect(csatOf('80%')).toEqual({ score: 0.8, raw: '80%' });
    expect(csatOf('Extremely Happy')?.score).toBe(1);
    expect(csatOf('')).toBeNull();
  });

  it('reads durations as HH:MM:SS or decimals in the column unit', () => {
    expect(durationSecondsOf('16:27:31', 3600)).toBe(16 * 3600 + 27 * 60 + 31);
    expect(durationSecondsOf('00:45', 3600)).toBe(45 * 60);
    expect(durationSecondsOf('1.5', 3600)).toBe(5400);
    expect(durationSecondsOf('90', 60)).toBe(5400);
    expect(durationSecondsOf(12, 1)).toBe(12);
    expect(durationSecondsOf('-3', 60)).toBeNull();
    expect(durationSecondsOf('soon', 60)).toBeNull();
  });

  it('splits tags, folds roles, channels and visibility, and cleans float ids', () => {
    expect(tagsOf('a|b|a')).toEqual(['a', 'b']);
    expect(tagsOf(' a , b ')).toEqual(['a', 'b']);
    expect(tagsOf(['x', 2])).toEqual(['x', '2']);
    expect(roleOf('End-User')).toBe('customer');
    expect(roleOf('Admin')).toBe('agent');
    expect(roleOf('automation')).toBe('bot');
    expect(roleOf('wizard')).toBeNull();
    expect(channelOf('Web Form')).toBe('web');
    expect(channelOf('Phone call (incoming)')).toBe('phone');
    expect(channelOf('Carrier Pigeon')).toBe('carrier pigeon');
    expect(publicOf('false')).toBe(false);
    expect(publicOf('internal')).toBe(false);
    expect(publicOf('')).toBe(true);
    expect(idOf('3.0')).toBe('3');
    expect(idOf(' 42 ')).toBe('42');
    expect(idOf(7)).toBe('7');
  });
});
