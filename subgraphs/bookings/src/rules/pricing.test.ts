import { discountPercentFor, priceStay } from './pricing';

const terms = { pricePerNight: '100.00', cleaningFee: '40.00', currency: 'EUR', weeklyDiscountPercent: 10, monthlyDiscountPercent: 25 };

describe('priceStay', () => {
  it('adds the cleaning fee to the nights and discounts the nights only', () => {
    expect(priceStay(terms, 3)).toEqual({
      nightlyRate: '100.00',
      nights: 3,
      nightlySubtotal: '300.00',
      discountPercent: 0,
      discount: '0.00',
      cleaningFee: '40.00',
      total: '340.00',
      currency: 'EUR',
    });
    expect(priceStay(terms, 7)).toMatchObject({ nightlySubtotal: '700.00', discountPercent: 10, discount: '70.00', total: '670.00' });
    expect(priceStay(terms, 28)).toMatchObject({ nightlySubtotal: '2800.00', discountPercent: 25, discount: '700.00', total: '2140.00' });
  });

  it('rounds the discount half up to the cent and never uses floating point', () => {
    expect(priceStay({ ...terms, pricePerNight: '33.33', cleaningFee: null, weeklyDiscountPercent: 15 }, 7)).toMatchObject({
      nightlySubtotal: '233.31',
      discount: '35.00',
      cleaningFee: '0.00',
      total: '198.31',
    });
    expect(
      priceStay({ ...terms, pricePerNight: '0.10', cleaningFee: '0.20', weeklyDiscountPercent: null, monthlyDiscountPercent: null }, 3)
        .total,
    ).toBe('0.50');
    expect(priceStay({ ...terms, pricePerNight: '9999999999.99', cleaningFee: null }, 365).nightlySubtotal).toBe('3649999999996.35');
  });
});

describe('discountPercentFor', () => {
  it.each([
    [6, 10, 25, 0],
    [7, 10, 25, 10],
    [27, 10, 25, 10],
    [28, 10, 25, 25],
    [28, 30, 25, 30],
    [30, null, 25, 25],
    [30, 10, null, 10],
    [10, null, 25, 0],
    [40, null, null, 0],
  ])('%i nights, weekly %p, monthly %p → %i%%', (nights, weekly, monthly, expected) => {
    expect(discountPercentFor({ weeklyDiscountPercent: weekly, monthlyDiscountPercent: monthly }, nights)).toBe(expected);
  });
});
