import type { StaffProfile, StaffRole } from '@shared/contracts/auth';
import { Button, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useCallback, useEffect, useState } from 'react';
import type { ErrorView } from '../../../components/describe-error';
import { ErrorCard, LoadingCard, type Tile, TileGrid } from '../../../components/state-view';
import { loadStaffProfile, staffLogout } from '../../../services/staff';
import { roleMay, STAFF_PAGES, type StaffPageKey } from '../../page-access';
import { ROLE_LABELS } from '../../role-labels';
import { loadForStaff, STAFF_LOGIN } from '../../staff-load';
import '../../staff.scss';

type State = { kind: 'loading' } | { kind: 'error'; error: ErrorView } | { kind: 'ready'; staff: StaffProfile };

// Tiles without a url are features of later issues, shown disabled until their pages exist.
const TILES: Tile[] = [
  { key: 'scan-member', label: '扫码识别会员', glyph: '扫' },
  { key: 'redeem', label: '扫码核销', glyph: '券', url: '/staff/pages/counter/index' },
  { key: 'coupons', label: '优惠券管理', glyph: '惠', url: '/staff/pages/coupons/index' },
  { key: 'tasks', label: '随访任务', glyph: '访' },
  { key: 'consults', label: '药师咨询', glyph: '询' },
  { key: 'signup-codes', label: '会员注册码', glyph: '码', url: '/staff/pages/signup-codes/index' },
  { key: 'identity-suggestions', label: '会员合并建议', glyph: '合', url: '/staff/pages/identity-suggestions/index' },
  { key: 'data-quality', label: '会员资料质量', glyph: '质', url: '/staff/pages/data-quality/index' },
  { key: 'integration-health', label: '数据对接状态', glyph: '联', url: '/staff/pages/integration-health/index' },
  { key: 'identity-merges', label: '会员合并记录', glyph: '并', url: '/staff/pages/identity-merges/index' },
  { key: 'imports', label: '数据导入', glyph: '导', url: '/staff/pages/imports/index' },
  { key: 'member-close', label: '会员注销', glyph: '销', url: '/staff/pages/member-close/index' },
];

/** The staff page a tile opens (its url's folder), whose opening call the access policy decides. */
const pageOf = (tile: Tile): StaffPageKey | null => {
  const folder = tile.url?.match(/^\/staff\/pages\/([^/]+)\/index$/)?.[1];
  return folder && folder in STAFF_PAGES ? (folder as StaffPageKey) : null;
};

// A tile only for the roles its page is for (shared/access decides; the API enforces it, the tile only avoids a dead
// end). The counter redeems at the caller's own store: staff without one (regional managers, HQ) have no counter.
const tilesFor = (staff: StaffProfile): Tile[] =>
  TILES.filter((tile) => {
    const page = pageOf(tile);
    if (!page) return true;
    if (page === 'counter' && staff.store === null) return false;
    return roleMay(staff.role, STAFF_PAGES[page].action);
  });

/** The workbench as the role knows it (ROLE_LABELS): a store's staff, a regional manager's region, HQ. */
const WORKBENCH_TITLES: Record<StaffRole, string> = {
  clerk: '门店工作台',
  pharmacist: '门店工作台',
  store_manager: '门店工作台',
  regional_manager: '区域工作台',
  hq_admin: '总部工作台',
};
/** until the profile says whose it is */
const WORKBENCH = '工作台';

function scopeOf(staff: StaffProfile): { label: string; value: string } {
  if (staff.store) return { label: '所属门店', value: staff.store.name };
  if (staff.region) return { label: '负责区域', value: staff.region.name };
  return { label: '所属', value: staff.role === 'hq_admin' ? '总部' : '未分配门店' };
}

export default function StaffHome() {
  const [state, setState] = useState<State>({ kind: 'loading' });

  const load = useCallback(() => {
    setState({ kind: 'loading' });
    loadForStaff(
      loadStaffProfile,
      (staff) => setState({ kind: 'ready', staff }),
      (error) => setState({ kind: 'error', error }),
    );
  }, []);

  useEffect(load, []);

  const title = state.kind === 'ready' ? WORKBENCH_TITLES[state.staff.role] : WORKBENCH;
  useEffect(() => {
    Taro.setNavigationBarTitle({ title }).catch(() => undefined);
  }, [title]);

  const onLogout = () => {
    staffLogout();
    Taro.reLaunch({ url: STAFF_LOGIN });
  };

  return (
    <View className="ml-page ml-console staff-home" data-testid="staff-home">
      <View className="staff-hero">
        <View className="staff-hero__title" data-testid="staff-home-title">
          {title}
        </View>
        <View className="staff-hero__sub">MedLoop 药店会员管理</View>
      </View>

      {state.kind === 'loading' ? <LoadingCard lines={2} /> : null}
      {state.kind === 'error' ? (
        <ErrorCard message={state.error.message} requestId={state.error.requestId} onRetry={load} />
      ) : null}
      {state.kind === 'ready' ? (
        <View className="ml-card" data-testid="staff-profile">
          <View className="staff-profile">
            <View className="staff-profile__avatar">{state.staff.name.slice(0, 1)}</View>
            <View>
              <View className="staff-profile__name" data-testid="staff-name">
                {state.staff.name}
              </View>
              <View className="staff-profile__role" data-testid="staff-role">
                {ROLE_LABELS[state.staff.role]}
              </View>
            </View>
          </View>
          <View className="staff-row">
            <Text className="staff-row__label">{scopeOf(state.staff).label}</Text>
            <Text data-testid="staff-scope">{scopeOf(state.staff).value}</Text>
          </View>
        </View>
      ) : null}

      {state.kind === 'ready' ? (
        <>
          <View className="ml-section-title">工作台</View>
          <TileGrid tiles={tilesFor(state.staff)} onOpen={(url) => Taro.navigateTo({ url })} />
        </>
      ) : null}

      <Button className="ml-btn ml-btn--danger staff-logout" onClick={onLogout} data-testid="staff-logout">
        退出登录
      </Button>
    </View>
  );
}
