/**
 * @deprecated Money has one module, `#domain/money.ts`. These names stay only until the files
 * still importing them from here are updated.
 */
import { currencyCodeSchema, type FrozenMoney } from '#domain/money.ts';

/** @deprecated import `freezeAmount`, `freezeMoney` and `usdRateOf` from `#domain/money.ts` */
export { freezeAmount, freezeMoney, usdRateOf } from '#domain/money.ts';

/** @deprecated use `FrozenMoney` from `#domain/money.ts` */
export type Money = FrozenMoney;

/** @deprecated use `currencyCodeSchema` from `#domain/money.ts` */
export const CurrencyCode = currencyCodeSchema;
