import { createIntentClassifier, type IntentModel, type IntentPrediction } from './classifier.ts';
import {
  createEntityExtractor,
  type Entity,
  type EntityExtractorOptions,
  entityOptionsOf,
} from './entities.ts';
import { detectHumanRequest } from './human-request.ts';
import { analyseSentiment, type SentimentResult } from './sentiment.ts';

/** Everything the NLU says about one message. */
export interface NluResult extends IntentPrediction {
  entities: Entity[];
  sentiment: SentimentResult;
  humanRequested: boolean;
}

export interface Nlu {
  readonly model: IntentModel;
  predict(text: string): NluResult;
}

/**
 * The NLU of one deployment: its intent model plus entity patterns (`entities` if given, else the patterns
 * stored in the model, else the defaults), sentiment and the human-request detector. An explicit request for a
 * person does not change the intent's verdict (`accepted`, `outOfScope`): the guardrails act on `humanRequested`.
 *
 * @example
 * const nlu = createNlu({ model: readModelFile('intents.model.json') });
 * nlu.predict('I still have not got my card, let me talk to a human');
 * // { label: 'card_arrival', confidence: 0.91, accepted: true, outOfScope: false, humanRequested: true, ... }
 */
export function createNlu(props: { model: IntentModel; entities?: EntityExtractorOptions }): Nlu {
  const classifier = createIntentClassifier(props.model);
  const extract = createEntityExtractor(
    props.entities ?? (props.model.entities ? entityOptionsOf(props.model.entities) : undefined),
  );
  return {
    model: props.model,
    predict(text) {
      const intent = classifier.predict(text);
      const human = detectHumanRequest(text);
      return {
        ...intent,
        entities: extract(text),
        sentiment: analyseSentiment(text),
        humanRequested: human.requested,
      };
    },
  };
}
