/** An open pay sheet in some browser, so the control API can pay or cancel it remotely. */
export interface PayTicket {
  id: string;
  prepayId: string;
  status: 'open' | 'paid' | 'cancelled';
  createdAt: number;
}
