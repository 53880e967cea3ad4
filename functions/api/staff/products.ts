import { ProductSearchQuery, ProductSearchResponse } from '../../../shared/contracts/counter.js';
import { searchProducts } from '../../app/counter/counter.js';
import { endpoint, json } from '../../http/endpoint.js';

/** The chain's catalogue by name, generic name or SKU: the counter adds a sale's medicines from it. */
export default endpoint(
  { method: 'GET', auth: 'staff', action: 'product.search', query: ProductSearchQuery },
  async ({ deps, query }) => json(200, ProductSearchResponse, await searchProducts(deps, query)),
);
