import { Type } from 'typebox'

/** JSON schemas shared by the routes (TypeBox: the schema is also the TypeScript type). */

export const ErrorBody = Type.Object({ error: Type.String(), message: Type.String() })

/**
 * A row id (PostgreSQL bigint), bounded to the integers a JSON number holds
 * exactly, so an id out of range is a 400 here and never reaches the database.
 */
export const RowId = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })
export const IdParams = Type.Object({ id: RowId })
/** A PostgreSQL integer column. */
export const Int32 = (options: { minimum: number }) => Type.Integer({ ...options, maximum: 2_147_483_647 })
/** A PostgreSQL numeric(p, 2) column: under 10^(p-2). */
export const Amount = (precision: 12 | 14) => Type.Number({ minimum: 0, maximum: 10 ** (precision - 2) - 0.01 })

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()])
const ShortText = Type.String({ minLength: 1, maxLength: 200 })

export const PhoneInput = Type.Object(
  { phone: Type.String({ minLength: 1, maxLength: 64 }), kind: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })) },
  { additionalProperties: false }
)

const customerFields = {
  name: ShortText,
  company: Nullable(ShortText),
  ownerAgentId: Nullable(ShortText),
  tier: Nullable(ShortText),
  segment: Nullable(ShortText),
  language: Nullable(Type.String({ minLength: 2, maxLength: 16 })),
  needs: Type.Array(ShortText, { maxItems: 100 }),
  purchaseVolume: Amount(14),
  seasonality: Nullable(ShortText),
  overdueAmount: Amount(14),
  overdueDays: Int32({ minimum: 0 }),
  refusalReasons: Type.Array(ShortText, { maxItems: 100 }),
  blocked: Type.Boolean(),
  phones: Type.Array(PhoneInput, { maxItems: 50 })
}

export const CustomerCreate = Type.Object(
  { ...Type.Partial(Type.Object(customerFields)).properties, name: ShortText },
  { additionalProperties: false }
)
export const CustomerPatch = Type.Partial(Type.Object(customerFields), { additionalProperties: false, minProperties: 1 })

export const AgentBody = Type.Object(
  {
    name: ShortText,
    sipUri: Type.Optional(Nullable(Type.String({ pattern: '^sips?:', maxLength: 256 }))),
    extension: Type.Optional(Nullable(Type.String({ pattern: '^[0-9A-Za-z*#+._-]{1,32}$' }))),
    team: Type.Optional(Nullable(Type.String({ pattern: '^[a-z0-9][a-z0-9:_-]*$', maxLength: 64 }))),
    capacity: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    chatCapacity: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, description: 'web chats held at once, apart from calls (default 3; 0: none)' })),
    active: Type.Optional(Type.Boolean()),
    language: Type.Optional(Nullable(Type.Enum(['ru', 'en'], { description: "the language of the agent's page; null: the browser's; left out: kept as it is" }))),
    skills: Type.Optional(Type.Record(Type.String({ pattern: '^[a-z0-9][a-z0-9:_-]*$' }), Type.Integer({ minimum: 1, maximum: 10 })))
  },
  { additionalProperties: false }
)

export const AgentId = Type.Object({ id: Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' }) })

export const LineBody = Type.Object(
  {
    name: Type.Optional(Nullable(ShortText)),
    source: Type.Optional(Nullable(ShortText)),
    campaign: Type.Optional(Nullable(ShortText)),
    product: Type.Optional(Nullable(ShortText)),
    costPerLead: Type.Optional(Nullable(Amount(12)))
  },
  { additionalProperties: false }
)
