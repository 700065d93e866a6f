/** The address orders placed straight through the API carry: the BFF refuses physical goods without one. */
export { SAMPLE_DELIVERY_ADDRESS as DELIVERY_ADDRESS } from '@wxpay-shop/contract/fixtures';
