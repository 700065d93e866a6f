// @vitest-environment node
import {
  ApiErrorCodeSchema,
  ApiErrorSchema,
  MeSchema,
  ProductDetailSchema,
  ProductListSchema,
  ProductSchema,
  ShopSchema,
} from '@wxpay-shop/contract';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { apiErrorAnswer, meAnswer, productAnswer, productListAnswer, shopAnswer } from '../src/api/first-page-answers';
import type { ResponseSchema } from '../src/api/response-schema';
import { product } from './helpers/fixtures';

type Spec = Record<string, fc.Arbitrary<unknown>>;

/** Values JSON (or a broken BFF) could put where a field belongs, including zod's edge cases for numbers. */
const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom(undefined, null, NaN, Infinity, -0, 0.5, -1, 2 ** 53, '', [], {}),
);

/** Valid objects from `spec`, and the same with one field junk, one missing, or an unknown one added. */
function nearly(spec: Spec): fc.Arbitrary<unknown> {
  const valid = fc.record(spec) as fc.Arbitrary<Record<string, unknown>>;
  const keys = Object.keys(spec);
  return fc.oneof(
    valid,
    fc.tuple(valid, fc.constantFrom(...keys), junk).map(([value, key, bad]) => ({ ...value, [key]: bad })),
    fc.tuple(valid, fc.constantFrom(...keys)).map(([value, key]) => {
      const copy = { ...value };
      delete copy[key];
      return copy;
    }),
    fc.tuple(valid, fc.string(), fc.jsonValue()).map(([value, key, extra]) => ({ [key]: extra, ...value })),
    junk,
  );
}

/** Mostly valid counts of fen or stock, and numbers zod's `int().check(nonnegative())` refuses. */
const count = fc.oneof(
  fc.nat(),
  fc.integer({ min: -3, max: 3 }),
  fc.double(),
  fc.constantFrom(0, -0, Number.MAX_SAFE_INTEGER, 2 ** 53, 12.5),
);
const detailSpec: Spec = { label: fc.string(), value: fc.string() };
const productSpec: Spec = {
  id: fc.string(),
  name: fc.string(),
  description: fc.string(),
  priceFen: count,
  imageUrl: fc.string(),
  stock: count,
  gallery: fc.array(fc.oneof(fc.string(), junk), { maxLength: 3 }),
  details: fc.array(nearly(detailSpec), { maxLength: 3 }),
  sevenDayReturns: fc.oneof(fc.boolean(), junk),
};
const signedInSpec: Spec = {
  signedIn: fc.constantFrom(true, false, 'true', 1, null),
  openid: fc.string(),
  nickname: fc.option(fc.string()),
  avatarUrl: fc.option(fc.string()),
};
const shopSpec: Spec = { name: fc.string(), servicePhone: fc.oneof(fc.string(), fc.constant(undefined)) };
const codes = ApiErrorCodeSchema.options as readonly string[];
const errorSpec: Spec = {
  code: fc.constantFrom(...codes, 'NOPE', 'toString', '__proto__', 'constructor', 'bad_request'),
  message: fc.string(),
  requestId: fc.oneof(fc.string(), fc.constant(undefined)),
  details: junk,
};

/** The contract's schema and the hand-written check agree on `value`: both accept it with the same data, or both refuse it. */
function expectSame(schema: ResponseSchema<unknown>, check: ResponseSchema<unknown>, value: unknown): void {
  const expected = schema.safeParse(value);
  const actual = check.safeParse(value);
  expect(actual.success, JSON.stringify(value)).toBe(expected.success);
  if (expected.success && actual.success) expect(actual.data).toEqual(expected.data);
}

const pairs = [
  { name: 'Me', schema: MeSchema, check: meAnswer, values: nearly(signedInSpec) },
  { name: 'Product', schema: ProductSchema, check: productAnswer, values: nearly(productSpec) },
  {
    name: 'ProductList',
    schema: ProductListSchema,
    check: productListAnswer,
    values: nearly({ products: fc.array(nearly(productSpec), { maxLength: 3 }) }),
  },
  { name: 'Shop', schema: ShopSchema, check: shopAnswer, values: nearly(shopSpec) },
  { name: 'ApiError', schema: ApiErrorSchema, check: apiErrorAnswer, values: nearly({ error: nearly(errorSpec) }) },
];

describe("the first page's answer checks agree with the contract's schemas", () => {
  it.each(pairs)(
    '$name: same verdict and same data on valid, broken and foreign values',
    ({ schema, check, values }) => {
      fc.assert(
        fc.property(values, (value) => expectSame(schema, check, value)),
        { numRuns: 500 },
      );
    },
  );

  it('the samples above describe every field the contract has (a new field needs a check)', () => {
    expect(Object.keys(productSpec)).toEqual(Object.keys(ProductSchema.shape));
    expect(Object.keys(detailSpec)).toEqual(Object.keys(ProductDetailSchema.shape));
    expect(Object.keys(shopSpec)).toEqual(Object.keys(ShopSchema.shape));
    expect(Object.keys(errorSpec)).toEqual(Object.keys(ApiErrorSchema.shape.error.shape));
    const signedIn = MeSchema.def.options.map((option) => Object.keys(option.shape));
    expect(signedIn).toEqual([['signedIn'], Object.keys(signedInSpec)]);
  });

  it('accepts a real product, every error code and both sessions; refuses a fractional price', () => {
    for (const value of [product, { ...product, priceFen: 12.5 }, { ...product, stock: -1 }])
      expectSame(ProductSchema, productAnswer, value);
    expect(productListAnswer.safeParse({ products: [product] })).toEqual({
      success: true,
      data: { products: [product] },
    });
    expect(productAnswer.safeParse({ ...product, priceFen: 12.5 }).success).toBe(false);
    for (const code of codes) {
      const body = { error: { code, message: 'x', requestId: 'r-1' } };
      expect(apiErrorAnswer.safeParse(body)).toEqual({ success: true, data: body });
    }
    expect(meAnswer.safeParse({ signedIn: false, openid: 'o' })).toEqual({ success: true, data: { signedIn: false } });
    const me = { signedIn: true, openid: 'o-1', nickname: null, avatarUrl: 'https://a/b.png' };
    expect(meAnswer.safeParse({ ...me, sessionId: 'secret' })).toEqual({ success: true, data: me });
  });
});
