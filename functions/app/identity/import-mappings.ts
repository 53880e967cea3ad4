/**
 * The file formats HQ can upload from the staff pages: every mapping in config/import-mappings with a `label` (the
 * same files the CLI takes with --mapping), the two default column sets, then the formats HQ made on the page
 * (import_formats, app/identity/import-formats.ts). A chain whose POS exports other columns makes one there from a
 * sample file, or adds a JSON file here (fields, kind, source, label) and deploys: configuration, no code either
 * way. The files are read when this module loads (vercel.json ships them with the import functions), so a missing
 * or malformed one fails the deployment's smoke test, not an upload.
 */
import { readdir, readFile } from 'node:fs/promises';
import { IMPORT_FIELDS } from '../../../shared/identity/import-fields.js';
import { ORDER_SOURCES } from '../../../shared/identity/order.js';
import type { Db } from '../../adapters/db/client.js';
import { type ImportFormatRow, importFormatRepo } from '../../adapters/db/repos/import-format.repo.js';
import { DEFAULT_MAPPING, type FieldMapping, FieldMappingSchema } from './import-file.js';
import { DEFAULT_ORDER_MAPPING } from './import-orders.js';

export interface UploadMapping {
  name: string;
  kind: 'records' | 'orders';
  label: string;
  /** every row's source; null: the file's source column names it per row */
  source: string | null;
  mapping: FieldMapping;
  /** a format HQ made on the staff pages: who, when, and whether it is still offered */
  custom?: { createdBy: string | null; createdAt: string; archived: boolean };
}

const DIR = new URL('../../../config/import-mappings/', import.meta.url);

async function configured(): Promise<UploadMapping[]> {
  const out: UploadMapping[] = [];
  for (const file of (await readdir(DIR)).filter((f) => f.endsWith('.json')).sort()) {
    const parsed = FieldMappingSchema.safeParse(JSON.parse(await readFile(new URL(file, DIR), 'utf8')));
    if (!parsed.success) throw new Error(`config/import-mappings/${file}: ${parsed.error.message}`);
    const m = parsed.data;
    if (!m.label) continue;
    const kind = m.kind ?? 'records';
    if (kind === 'orders' && m.source && !(ORDER_SOURCES as readonly string[]).includes(m.source))
      throw new Error(`config/import-mappings/${file}: orders come from ${ORDER_SOURCES.join(' or ')}`);
    if (!m.source && !m.sourceColumn)
      throw new Error(`config/import-mappings/${file}: give a source or a sourceColumn`);
    out.push({ name: file.replace(/\.json$/, ''), kind, label: m.label, source: m.source ?? null, mapping: m });
  }
  return out;
}

const MAPPINGS: readonly UploadMapping[] = [
  ...(await configured()),
  {
    name: 'records-standard',
    kind: 'records',
    label: '会员资料（MedLoop 标准列，source 列注明来源）',
    source: null,
    mapping: DEFAULT_MAPPING,
  },
  {
    name: 'orders-standard',
    kind: 'orders',
    label: '订单明细（MedLoop 标准列，source 列注明 pos 或 mall）',
    source: null,
    mapping: DEFAULT_ORDER_MAPPING,
  },
];

/** A configured format (config/import-mappings or a default column set) by name. */
export const uploadMapping = (name: string): UploadMapping | null => MAPPINGS.find((m) => m.name === name) ?? null;

/** A format HQ made, as an upload reads it. */
export function formatMapping(f: ImportFormatRow): UploadMapping {
  return {
    name: f.id,
    kind: f.kind,
    label: f.label,
    source: f.source,
    mapping: {
      kind: f.kind,
      label: f.label,
      source: f.source as FieldMapping['source'],
      // in the page's order of the fields (jsonb keeps its keys by length)
      fields: Object.fromEntries(
        IMPORT_FIELDS[f.kind].flatMap((x) => (f.fields[x.field] ? [[x.field, f.fields[x.field]]] : [])),
      ),
    },
    custom: {
      createdBy: f.created_by_name,
      createdAt: new Date(f.created_at).toISOString(),
      archived: f.archived_at !== null,
    },
  };
}

/** The formats offered for a new upload: the configured ones, then HQ's, oldest first. */
export async function listUploadMappings(conn: Db): Promise<UploadMapping[]> {
  return [...MAPPINGS, ...(await importFormatRepo.active(conn)).map(formatMapping)];
}

/** Any format an upload may name: a configured one, or one HQ made (also one no longer offered: a running import's). */
export async function findUploadMapping(conn: Db, name: string): Promise<UploadMapping | null> {
  const configuredOne = uploadMapping(name);
  if (configuredOne) return configuredOne;
  const f = await importFormatRepo.byId(conn, name);
  return f ? formatMapping(f) : null;
}

/** The file's columns a mapping reads, its source column first, each once. */
export function mappingColumns(m: UploadMapping): string[] {
  const columns = [...(m.mapping.sourceColumn ? [m.mapping.sourceColumn] : []), ...Object.values(m.mapping.fields)];
  return [...new Set(columns)];
}

/** The file's columns an upload cannot do without: the source column, and the columns of the kind's required fields. */
export function requiredColumns(m: UploadMapping): string[] {
  const required = IMPORT_FIELDS[m.kind].flatMap((f) =>
    f.required && m.mapping.fields[f.field] ? [m.mapping.fields[f.field]] : [],
  );
  return [...new Set([...(m.mapping.sourceColumn ? [m.mapping.sourceColumn] : []), ...required])];
}
