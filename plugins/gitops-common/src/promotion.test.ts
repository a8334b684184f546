import { parsePromotionRules, promotionRuleFor } from './promotion';

describe('parsePromotionRules', () => {
  it('reads entries per environment, the first that names one winning', () => {
    const rules = parsePromotionRules(
      'dev:revert; staging|prod: kustomize-image, image=ghcr.io/acme/shop, field=digest; manifest,repo=https://github.com/acme/fleet',
    );
    expect(rules).toEqual([
      { environments: ['dev'], shape: 'revert' },
      {
        environments: ['staging', 'prod'],
        shape: 'kustomize-image',
        image: 'ghcr.io/acme/shop',
        field: 'digest',
      },
      { shape: 'manifest', repo: 'https://github.com/acme/fleet' },
    ]);
    expect(promotionRuleFor(rules, 'dev')?.shape).toBe('revert');
    expect(promotionRuleFor(rules, 'prod')?.shape).toBe('kustomize-image');
    expect(promotionRuleFor(rules, 'qa')?.shape).toBe('manifest');
    expect(promotionRuleFor(parsePromotionRules('prod:manifest'), 'qa')).toBe(
      undefined,
    );
  });

  it('says what is wrong with an entry', () => {
    expect(() => parsePromotionRules('canary')).toThrow(
      "'canary': unknown promotion shape 'canary'",
    );
    expect(() => parsePromotionRules('kustomize-image')).toThrow(
      'kustomize-image needs image=<name>',
    );
    expect(() =>
      parsePromotionRules('helm-values,file=../values.yaml,key=a'),
    ).toThrow("file '../values.yaml' must be relative, without '..'");
    expect(() => parsePromotionRules('manifest,oops')).toThrow(
      "'oops' in 'manifest,oops' is not key=value",
    );
    expect(() => parsePromotionRules('revert,image=x')).toThrow(
      "'image' is not a setting of the revert shape (it takes branch)",
    );
  });
});
