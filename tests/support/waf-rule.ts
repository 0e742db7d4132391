/**
 * A WAFv2 web ACL rule as the mock engine records its inputs: the fields the WAF tests read. Nested statements
 * are typed along the one path a rate rule scoped to a method and a path uses (rate → scope-down → and → match).
 */
export interface WafMatch {
    byteMatchStatement: { searchString: string };
    regexMatchStatement: { regexString: string; textTransformations: unknown; fieldToMatch: unknown };
}

export interface WafRule {
    name: string;
    priority: number;
    action: unknown;
    visibilityConfig: { metricName: string };
    statement: {
        rateBasedStatement: {
            limit: number;
            aggregateKeyType: string;
            evaluationWindowSec?: number;
            scopeDownStatement: { andStatement: { statements: WafMatch[] } };
        };
    };
}
