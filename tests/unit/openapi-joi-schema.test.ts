// joi → JSON Schema for the OpenAPI document: what joi-to-json covers plus the gaps we fill.
import Joi from 'joi';
import { toJsonSchema, type SharedSchemas } from '../../src/routes/joi-schema';

describe('toJsonSchema', () => {
  it('when an id is a 24-character hex string, then length and the hex pattern are kept', () => {
    expect(toJsonSchema(Joi.string().hex().length(24))).toEqual({ type: 'string', minLength: 24, maxLength: 24, pattern: '^[0-9a-fA-F]*$' });
  });

  it('when an object is a map keyed by a schema, then its values become additionalProperties', () => {
    expect(toJsonSchema(Joi.object().pattern(Joi.string(), Joi.number().min(0)))).toMatchObject({
      type: 'object',
      additionalProperties: { type: 'number', minimum: 0 },
    });
  });

  it('when an object bounds its number of keys, then the document bounds them too', () => {
    expect(toJsonSchema(Joi.object({ a: Joi.string(), b: Joi.string() }).min(1))).toMatchObject({ type: 'object', minProperties: 1 });
    expect(toJsonSchema(Joi.object().pattern(Joi.string(), Joi.number()).max(20))).toMatchObject({ type: 'object', maxProperties: 20 });
    expect(toJsonSchema(Joi.object({ a: Joi.string(), b: Joi.string() }).length(2))).toMatchObject({ minProperties: 2, maxProperties: 2 });
    expect(toJsonSchema(Joi.object({ a: Joi.string() }))).not.toHaveProperty('minProperties');
  });

  it('when a schema is named and linked, then it is collected once into the shared schemas and referenced', () => {
    const money = Joi.object({ amount: Joi.number().required(), currency: Joi.string().length(3) }).id('Money');
    const shared: SharedSchemas = {};
    const json = toJsonSchema(Joi.object({ price: money, total: Joi.link('#Money') }).shared(money), shared);
    expect(json.properties).toEqual({ price: { $ref: '#/components/schemas/Money' }, total: { $ref: '#/components/schemas/Money' } });
    expect(json.schemas).toBeUndefined();
    expect(shared.Money).toMatchObject({ type: 'object', required: ['amount'] });
  });

  it('when two different schemas share an id, then conversion fails loudly instead of documenting one of them', () => {
    const shared: SharedSchemas = {};
    toJsonSchema(Joi.object({ a: Joi.object({ x: Joi.string() }).id('Thing') }), shared);
    expect(() => toJsonSchema(Joi.object({ b: Joi.object({ y: Joi.number() }).id('Thing') }), shared)).toThrow(/share the id "Thing"/);
  });
});
