// The worker globals first: `@hubspot/ui-extensions` reads them as the card's module loads.
import './hubspot-worker.tsx';
import '../../../hubspot/src/app/cards/DealAttributionCard.tsx';
